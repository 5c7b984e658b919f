; Inno Setup 6 script of Tandem's Windows installer.
;
;   iscc /DAppVersion=0.1.0 packaging\windows\tandem.iss
;
; Input: dist\tandem\ (PyInstaller one-folder build: tandem.exe, tandem-cli.exe, _internal\).
; Output: dist\Tandem-Setup-<version>.exe. Installs per user by default (no administrator
; needed; the user may choose "for all users"), adds a Start menu entry, and offers
; "Start Tandem when I sign in" (the HKCU Run value that app\autostart.py also reads and writes).

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "Tandem"
#define AppExe "tandem.exe"

[Setup]
AppId={{CEA00F31-9BBC-4F3B-ACC9-45BC9C9DDC15}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=The Tandem developers
AppComments=Keep Outlook and Salesforce in step
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=Tandem-Setup-{#AppVersion}
SetupIconFile=..\..\resources\icons\tandem.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "startatlogin"; Description: "Start Tandem when I sign in"; GroupDescription: "Starting:"; Flags: unchecked
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\tandem\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; The same value app\autostart.py writes for the default profile: "Tandem" = "<path>\tandem.exe" --background
; (quoted path; --background: start in the notification area, no window).
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "{#AppName}"; ValueData: """{app}\{#AppExe}"" --background"; Flags: uninsdeletevalue; Tasks: startatlogin
; Remove it at uninstall even when the user turned it on later from Tandem's settings.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: none; ValueName: "{#AppName}"; Flags: uninsdeletevalue

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
