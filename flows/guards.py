"""The seeds' guard against support aimed at a service-only offer (Infoeproc).

Which articles never lead to a ticket is the knowledge base's (front matter `no_ticket`), as is
what the user is told (offers.toml, `support_redirect_notice`)."""

from __future__ import annotations

from knowledge_base.models import KnowledgeBase, Offer

from . import answers
from .triage_context import Context


def aimed_wrong(offer: Offer, context: Context, kb: KnowledgeBase) -> bool:
    """A support problem headed for a service-only offer (Infoeproc): it must be redirected.

    It is, when none of the offer's categories fits, or when the message still reports a
    problem once the words of its category are taken out: "the Infoeproc on sigilo has wrong
    information" is a correction, "I filed at Infoeproc because I cannot log in" is support.
    """
    if not offer.support_redirect or not context.support:
        return False
    category = offer.category(context.category or "")
    if category is None:
        return True
    lang = kb.language
    rest = f" {answers.plain(context.text, lang.abbreviations)} "
    for keyword in (category.label, *category.keywords):
        rest = rest.replace(f" {answers.plain(keyword, lang.abbreviations)} ", " ")
    problems = (answers.plain(p, lang.abbreviations) for p in lang.problem)
    return any(p and f" {p} " in rest for p in problems)
