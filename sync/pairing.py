"""Pairing on the first sync (and after a rebuild): records no link knows are matched
(``sync.matching``) before anything is created; a pair becomes a link whose snapshot keeps
any write still to do visible, an ambiguous match is held for the person, the rest is
created on the other side."""

from __future__ import annotations

from .decisions import Outcome
from .errors import ItemError
from .fields import FIELDS, Side, other_side
from .links import Link
from .matching import HOLD_ONLY, match
from .merge import MergeResult, merge
from .plan import Action, LinkEffect
from .plan_words import SIDE_NAME, rule_words
from .planner_core import PlannerCore
from .records import Record, SourceItem


class Pairing(PlannerCore):
    def unlinked(self, outlook: list[SourceItem], salesforce: list[SourceItem]) -> None:
        result = match(self.kind, outlook, salesforce)
        self.plan.matched_by = result.counts_by_rule()
        for o_item, s_item, rule in result.pairs:
            self._pair(o_item, s_item, rule)
        for group in result.ambiguous:
            held: tuple[tuple[Side, list[SourceItem], list[SourceItem]], ...] = (
                ("outlook", group.outlook, group.salesforce),
                ("salesforce", group.salesforce, group.outlook),
            )
            for side, items, others in held:
                where = SIDE_NAME[other_side(side)]
                for item in items:
                    if group.rule in HOLD_ONLY:
                        reason = (
                            f"Has the same {rule_words(group.rule)} as "
                            f"{_count(len(others), 'record')} in {where}, but no email address "
                            "or company that shows it is the same person. Nothing was created or "
                            "linked. If it is the same person, give both the same email address (or "
                            "company); if not, make the names differ. Then sync again."
                        )
                    else:
                        reason = (
                            f"Matches {len(others)} records in {where} ({rule_words(group.rule)}), so "
                            "Tandem cannot tell which one is the same. Nothing was created or linked. "
                            "Remove the duplicates or make them differ, then sync again."
                        )
                    action = self._action(
                        "held",
                        side,
                        None,
                        item.record,
                        outcome=Outcome.HOLD_AMBIGUOUS,
                        reason=reason,
                        issue=ItemError("ambiguous", reason),
                        issue_category="held",
                        outlook_id=item.id if side == "outlook" else None,
                        salesforce_id=item.id if side == "salesforce" else None,
                    )
                    self._add(action)
        unmatched: tuple[tuple[Side, list[SourceItem]], ...] = (
            ("salesforce", result.outlook_unmatched),
            ("outlook", result.salesforce_unmatched),
        )
        for side, items in unmatched:
            outcome = Outcome.CREATE_IN_SALESFORCE if side == "salesforce" else Outcome.CREATE_IN_OUTLOOK
            for item in items:
                self._create(
                    side,
                    item.record,
                    source_id=item.id,
                    source_version=item.version,
                    outcome=outcome,
                    add=True,
                )

    def _pair(self, o_item: SourceItem, s_item: SourceItem, rule: str) -> None:
        o_rec, s_rec = self.fill_lacking(o_item.record, s_item.record)

        def merged(policy: str) -> MergeResult:
            return merge(
                self.kind,
                None,
                o_rec,
                s_rec,
                policy=policy,
                outlook_time=o_item.modified_at,
                salesforce_time=s_item.modified_at,
                region=self.region,
            )

        result = merged(self.settings.conflict_policy)
        link = Link(
            kind=self.kind,
            outlook_id=o_item.id,
            salesforce_id=s_item.id,
            outlook_version=o_item.version,
            salesforce_version=s_item.version,
        )
        if result.conflicts:
            choices: dict[str, list[Action]] = {}
            for choice, policy in (("keep_outlook", "outlook_wins"), ("keep_salesforce", "salesforce_wins")):
                settled = merged(policy)
                paired = self._pair_link(link, settled, o_rec, s_rec, rule)
                choices[choice] = [paired] + self._pair_writes(link, settled, o_rec, s_rec)
            choices["keep_both"] = [
                a
                for a in (
                    self._create(
                        "salesforce",
                        o_rec,
                        source_id=o_item.id,
                        source_version=o_item.version,
                        outcome=Outcome.PAIR,
                    ),
                    self._create(
                        "outlook",
                        s_rec,
                        source_id=s_item.id,
                        source_version=s_item.version,
                        outcome=Outcome.PAIR,
                    ),
                )
                if a is not None
            ]
            self._conflict(None, result, choices, Outcome.PAIR, o_id=o_item.id, s_id=s_item.id, record=s_rec)
            return
        self._add(self._pair_link(link, result, o_rec, s_rec, rule))
        for action in self._pair_writes(link, result, o_rec, s_rec):
            self._add(action)

    def _pair_link(self, link: Link, result: MergeResult, o_rec: Record, s_rec: Record, rule: str) -> Action:
        """The match action: a new link whose snapshot makes any write still to do visible as
        a change on the side it comes from (so a failed write is retried, never reversed)."""
        snapshot: Record = {}
        for spec in FIELDS[self.kind]:
            f = spec.name
            if f in result.to_outlook:
                snapshot[f] = o_rec.get(f)
            elif f in result.to_salesforce:
                snapshot[f] = s_rec.get(f)
            elif f in result.agreed:
                snapshot[f] = result.agreed[f]
            else:
                snapshot[f] = s_rec.get(f) if spec.flows_from("salesforce") else o_rec.get(f)
        return self._action(
            "match",
            "both",
            link,
            s_rec,
            outcome=Outcome.PAIR,
            reason=f"Paired by {rule_words(rule)}.",
            link=LinkEffect(
                None,
                state="linked",
                snapshot=snapshot,
                other={
                    "outlook": (link.outlook_id, link.outlook_version),
                    "salesforce": (link.salesforce_id, link.salesforce_version),
                },
            ),
        )

    def _pair_writes(self, link: Link, result: MergeResult, o_rec: Record, s_rec: Record) -> list[Action]:
        out = []
        writes: tuple[tuple[Side, Record, Record], ...] = (
            ("outlook", result.to_outlook, o_rec),
            ("salesforce", result.to_salesforce, s_rec),
        )
        for side, fields, current in writes:
            if fields:
                action = self._update(link, side, dict(fields), current, Outcome.PAIR)
                if action is not None:
                    if action.link is not None:
                        action.link.link_id = None  # found through the match's link at apply time
                    out.append(action)
        return out


def _count(n: int, noun: str) -> str:
    return f"one {noun}" if n == 1 else f"{n} {noun}s"
