"""Each decision kind and each threshold of the triage engine."""

from __future__ import annotations

import pytest

from knowledge_base import decide as rules
from knowledge_base.decision import Candidate
from knowledge_base.models import KnowledgeBase
from knowledge_base.signals import Signals
from knowledge_base.triage import Ranking, Triage


def signals(**overrides: object) -> Signals:
    values: dict[str, object] = {
        "text": "",
        "grau": None,
        "systems": (),
        "problem": False,
        "question": False,
        "request": False,
        "support": False,
    }
    values.update(overrides)
    return Signals(**values)  # type: ignore[arg-type]


def ranking(*candidates: Candidate, evidence: float = 5.0, **signal_overrides: object) -> Ranking:
    articles = tuple(c for c in candidates if c.kind == "article")
    offers = tuple(c for c in candidates if c.kind == "offer")
    return Ranking(signals(**signal_overrides), articles, offers, evidence)


@pytest.mark.parametrize(
    ("text", "label", "category"),
    [
        ("o eproc recusa meu código de autenticação", "article:eproc-2fa-codigo-invalido", None),
        ("sou do 2º grau e a publicação não saiu no eproc", "offer:eproc-2g", "tramitacao"),
        ("primeira instância: a senha do eproc bloqueou", "offer:eproc-1g", "acesso"),
        ("o sei não deixa anexar o documento", "offer:sei", None),
        ("erro na redistribuição no eproc", "clarify:grau", "tramitacao"),
        ("o sistema travou", "clarify:sistema", None),
        ("qual a melhor pizza da cidade?", "none", None),
    ],
)
def test_each_decision_kind_on_the_bundled_knowledge_base(
    triage: Triage, text: str, label: str, category: str | None
) -> None:
    decision = triage.decide(text)
    assert decision.label == label
    assert decision.category == category


def test_candidates_are_ranked_best_first_with_scores(triage: Triage) -> None:
    decision = triage.decide("como desativo o 2fa do eproc? perdi o celular")
    scores = [c.score for c in decision.candidates]
    assert decision.candidates[0].label == "article:eproc-2fa-desativar"
    assert scores == sorted(scores, reverse=True)
    assert len(decision.candidates) <= rules.TOP


def test_typos_and_missing_accents_reach_the_same_article(triage: Triage) -> None:
    clean = triage.decide("como ativar a autenticação em dois fatores do eproc")
    sloppy = triage.decide("cmo ativar a autenticacao em dois fatoers do eproc")
    assert clean.label == sloppy.label == "article:eproc-2fa-ativar"


def test_informal_abbreviations_are_understood(triage: Triage) -> None:
    decision = triage.decide("vc sabe pq o eproc n aceita meu codigo de autenticacao?")
    assert decision.label == "article:eproc-2fa-codigo-invalido"


def test_grau_written_in_several_ways_routes_the_same(triage: Triage) -> None:
    for grau in ("2º grau", "2o grau", "segundo grau", "2a instância", "segunda instancia"):
        decision = triage.decide(f"{grau}: a redistribuição deu erro no eproc")
        assert decision.label == "offer:eproc-2g", grau


def test_decision_is_deterministic_and_index_is_reused(triage: Triage) -> None:
    index = triage.index
    first = triage.decide("o portal de serviços está fora do ar")
    second = triage.decide("o portal de serviços está fora do ar")
    assert first == second
    assert triage.index is index
    assert first.label == "offer:suporte-tecnico"
    assert first.category == "defeito-com-paralisacao"


def test_below_none_threshold_without_support_words_is_none(kb: KnowledgeBase) -> None:
    weak = Candidate("article", "eproc-login", rules.NONE_BELOW - 0.01)
    assert rules.decide(kb, ranking(weak)).label == "none"


def test_below_none_threshold_with_support_words_asks_the_system(kb: KnowledgeBase) -> None:
    weak = Candidate("article", "eproc-login", rules.NONE_BELOW - 0.01)
    decision = rules.decide(kb, ranking(weak, support=True))
    assert decision.label == "clarify:sistema"
    assert set(decision.options) == set(kb.systems)


def test_below_none_threshold_naming_a_system_goes_to_its_offer(kb: KnowledgeBase) -> None:
    weak = Candidate("article", "eproc-login", rules.NONE_BELOW - 0.01)
    assert rules.decide(kb, ranking(weak, systems=("sei",))).label == "offer:sei"


def test_at_none_threshold_the_candidate_is_used(kb: KnowledgeBase) -> None:
    enough = Candidate("article", "eproc-login", rules.NONE_BELOW)
    assert rules.decide(kb, ranking(enough)).label == "article:eproc-login"


def test_unsure_problem_without_system_asks_the_system(kb: KnowledgeBase) -> None:
    unsure = Candidate("offer", "eproc-1g", rules.SURE_ABOVE - 0.01, "acesso")
    assert rules.decide(kb, ranking(unsure, problem=True)).label == "clarify:sistema"
    sure = Candidate("offer", "eproc-1g", rules.SURE_ABOVE, "acesso")
    assert rules.decide(kb, ranking(sure, problem=True, grau="1")).label == "offer:eproc-1g"


def test_little_evidence_makes_a_strong_score_unsure(kb: KnowledgeBase) -> None:
    strong = Candidate("offer", "eproc-1g", 0.9, "acesso")
    thin = ranking(strong, problem=True, evidence=rules.MIN_EVIDENCE - 0.1)
    assert rules.decide(kb, thin).label == "clarify:sistema"
    rich = ranking(strong, problem=True, grau="1", evidence=rules.MIN_EVIDENCE)
    assert rules.decide(kb, rich).label == "offer:eproc-1g"


def test_an_unsure_problem_naming_a_grau_is_eproc_without_asking_the_system(
    kb: KnowledgeBase,
) -> None:
    # "no segundo grau não consigo protocolar": only eproc splits its offers by grau.
    strong = Candidate("offer", "eproc-1g", 0.9, "tramitacao")
    thin = ranking(strong, problem=True, grau="2", evidence=rules.MIN_EVIDENCE - 0.1)
    decision = rules.decide(kb, thin)
    assert (decision.label, decision.category) == ("offer:eproc-2g", "tramitacao")


def test_eproc_offer_without_grau_asks_the_grau_and_keeps_the_category(
    kb: KnowledgeBase,
) -> None:
    best = Candidate("offer", "eproc-2g", 0.6, "automacao")
    decision = rules.decide(kb, ranking(best, systems=("eproc",)))
    assert decision.label == "clarify:grau"
    assert decision.category == "automacao"
    assert set(decision.options) == {"eproc-1g", "eproc-2g"}


def test_grau_signal_picks_the_eproc_offer(kb: KnowledgeBase) -> None:
    best = Candidate("offer", "eproc-2g", 0.6, "acesso")
    decision = rules.decide(kb, ranking(best, systems=("eproc",), grau="1"))
    assert decision.label == "offer:eproc-1g"


def test_explicit_request_for_a_person_skips_the_how_to_article(kb: KnowledgeBase) -> None:
    article = Candidate("article", "sei-abrir-chamado", 0.8)
    assert rules.decide(kb, ranking(article, systems=("sei",), request=True)).label == "offer:sei"
    asked = ranking(article, systems=("sei",), request=True, question=True)
    assert rules.decide(kb, asked).label == "article:sei-abrir-chamado"


def test_problem_with_a_weak_article_goes_to_the_articles_offer(kb: KnowledgeBase) -> None:
    weak = Candidate("article", "suporte-categorias", rules.SURE_ABOVE - 0.05)
    routed = rules.decide(kb, ranking(weak, systems=("suporte",), problem=True))
    assert routed.label == "offer:suporte-tecnico"
    strong = Candidate("article", "suporte-categorias", rules.SURE_ABOVE + 0.05)
    kept = rules.decide(kb, ranking(strong, systems=("suporte",), problem=True))
    assert kept.label == "article:suporte-categorias"
