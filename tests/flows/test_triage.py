"""Triage paths: article, clarify grau/system, none, rephrasing, and the seeds' guards."""

from __future__ import annotations

from dataclasses import replace

from knowledge_base.models import System

from .conversation import Conversation
from .fakes import FakeTriage


def _eproc_lists_infoeproc(chat: Conversation) -> None:
    """An editor's variant: the eproc system also lists the Infoeproc service offer."""
    kb = chat.services.kb
    eproc = System("eproc", "eproc", ("eproc",), ("eproc-1g", "eproc-2g", "infoeproc-sugestao"))
    chat.at(kb=replace(kb, systems={**kb.systems, "eproc": eproc}))


def test_article_is_shown_with_solved_and_not_solved_buttons(chat: Conversation) -> None:
    chat.say("o eproc diz codigo invalido")
    reply = chat.reply("article")
    assert reply.params == {
        "article_id": "eproc-2fa-codigo-invalido",
        "ticket_option": True,
        "section": None,
    }
    assert chat.labels() == ["✅ Resolveu", "Não resolveu, falar com o suporte"]
    assert chat.state.name == "article"


def test_article_body_is_rendered_as_escaped_html_parts(chat: Conversation) -> None:
    chat.say("o eproc diz codigo invalido")
    messages = chat.renderer.render_messages("article", chat.reply("article").params)
    assert "<b>horário do celular</b>" in messages[0]
    assert "&lt;automaticamente&gt; &amp; tente" in messages[0]
    assert messages[-1] == "Essa orientação resolveu o seu problema?"


def test_solved_article_ends_politely(chat: Conversation) -> None:
    chat.say("o eproc diz codigo invalido")
    chat.tap("Resolveu")
    assert chat.templates == ["article_solved"]
    assert chat.state.name == "idle"


def test_typed_sim_counts_as_solved(chat: Conversation) -> None:
    chat.say("o eproc diz codigo invalido")
    chat.say("sim, resolveu")
    assert chat.templates == ["article_solved"]


def test_new_problem_starting_with_nao_after_an_article_is_triaged(
    chat: Conversation, triage: FakeTriage
) -> None:
    chat.say("o eproc diz codigo invalido")
    chat.say("não consigo fazer login")
    # Triaged, not read as "não resolveu"; going nowhere alone, it is read with the question
    # the article answered.
    assert triage.calls[-2:] == [
        "não consigo fazer login",
        "o eproc diz codigo invalido\nnão consigo fazer login",
    ]
    assert chat.state.name == "article"


def test_not_solved_typed_with_the_grau_goes_to_that_offer(chat: Conversation) -> None:
    chat.say("o eproc diz codigo invalido")
    chat.say("não resolveu, sou do 2º grau")
    assert chat.state.data["offer"] == "eproc-2g"


def test_not_solved_asks_the_grau_when_the_article_lists_both_eproc_offers(
    chat: Conversation,
) -> None:
    chat.say("o eproc diz codigo invalido")
    chat.tap("Não resolveu")
    assert chat.state.name == "ask_grau"
    assert chat.labels() == ["1º grau ou Colégio Recursal", "2º grau", "⬅️ Voltar", "✖️ Cancelar"]
    chat.tap("2º grau")
    assert chat.state.name == "intake"
    assert chat.state.data["offer"] == "eproc-2g"


def test_not_solved_goes_straight_to_the_offer_when_grau_is_known(chat: Conversation) -> None:
    chat.say("codigo 2g recusado")
    chat.say("não resolveu")
    assert chat.templates[0] == "intake_start"
    assert chat.state.data["offer"] == "eproc-2g"


def test_not_solved_on_an_article_without_offers_uses_its_systems_offers(
    chat: Conversation,
) -> None:
    chat.say("dúvida sobre perfis")
    chat.tap("Não resolveu")
    assert chat.state.name == "ask_grau"


def test_back_from_the_grau_question_shows_the_article_again(chat: Conversation) -> None:
    chat.say("o eproc diz codigo invalido")
    chat.tap("Não resolveu")
    chat.tap("Voltar")
    assert chat.state.name == "article"
    assert chat.templates == ["article"]


def test_business_rules_answer_has_no_ticket_option(chat: Conversation) -> None:
    chat.say("tenho uma dúvida de regra de negócio do serviço")
    reply = chat.reply("article")
    assert reply.params["ticket_option"] is False
    assert "Não resolveu, falar com o suporte" not in chat.labels()
    assert chat.state.name == "idle"


def test_clarify_grau_keeps_the_category_triage_found(chat: Conversation) -> None:
    chat.say("erro na redistribuição do processo")
    assert chat.reply("ask_grau").params["category"] == "Tramitação processual"
    chat.tap("2º grau")
    assert chat.state.data["offer"] == "eproc-2g"
    assert chat.state.data["values"] == {"category": "tramitacao"}
    assert chat.reply("intake_field").params["label"] == "Descrição"


def test_grau_can_be_typed(new_chat) -> None:  # type: ignore[no-untyped-def]
    for typed, offer in [
        ("2", "eproc-2g"),
        ("segundo grau", "eproc-2g"),
        ("1º", "eproc-1g"),
        ("colégio recursal", "eproc-1g"),
    ]:
        chat = new_chat()
        chat.say("erro na redistribuição")
        chat.say(typed)
        assert chat.state.data["offer"] == offer, typed


def test_free_text_at_grau_question_is_triaged_with_the_first_message(
    chat: Conversation, triage: FakeTriage
) -> None:
    chat.say("erro na redistribuição")
    chat.say("na verdade o processo sumiu")
    assert triage.calls[-1] == "erro na redistribuição\nna verdade o processo sumiu"
    # the combined text still mentions redistribuição, so triage asks the grau again
    assert chat.state.name == "ask_grau"
    assert chat.state.data["text"].endswith("o processo sumiu")


def test_clarify_system_offers_support_systems_only(chat: Conversation) -> None:
    chat.say("não consigo fazer login")
    assert chat.state.name == "ask_system"
    assert chat.labels() == [
        "eproc",
        "SEI",
        "Portal de serviços (suporte técnico)",
        "Balcão Virtual",
        "✖️ Cancelar",
    ]


def test_system_by_button_then_grau(chat: Conversation) -> None:
    chat.say("não consigo fazer login")
    chat.tap("eproc")
    assert chat.state.name == "ask_grau"
    chat.tap("1º grau")
    assert chat.state.data["offer"] == "eproc-1g"


def test_system_can_be_typed_by_name_or_number(new_chat) -> None:  # type: ignore[no-untyped-def]
    for typed, offer in [
        ("sei", "sei"),
        ("2", "sei"),
        ("Balcão Virtual", "balcao-virtual"),
        ("é o portal", "suporte-tecnico"),
    ]:
        chat = new_chat()
        chat.say("não consigo fazer login")
        chat.say(typed)
        assert chat.state.name == "intake", typed
        assert chat.state.data["offer"] == offer, typed


def test_choosing_the_system_lets_triage_find_the_category(chat: Conversation) -> None:
    chat.say("não consigo fazer login")
    chat.tap("eproc")
    assert chat.reply("ask_grau").params["category"] == "Acesso"
    chat.tap("1º grau")
    assert chat.state.data["values"] == {"category": "acesso"}


def test_category_triage_finds_for_another_system_is_ignored(
    chat: Conversation, triage: FakeTriage
) -> None:
    chat.say("não consigo fazer login")
    chat.tap("SEI")
    assert triage.calls[-1].endswith("\nSEI")
    assert chat.state.data["offer"] == "sei"
    assert chat.state.data["category"] is None


def test_nao_sei_does_not_choose_the_sei(chat: Conversation) -> None:
    chat.say("não consigo fazer login")
    chat.say("não sei")
    assert chat.state.name == "ask_system"


def test_rephrasing_at_the_system_question_can_route_directly(chat: Conversation) -> None:
    chat.say("não consigo fazer login")
    chat.say("ah, é no SEI do meu órgão")
    assert chat.state.data["offer"] == "sei"


def test_offer_decision_opens_its_form_with_category_prefilled(chat: Conversation) -> None:
    chat.say("o portal está fora do ar")
    assert chat.templates == ["intake_start", "intake_field"]
    assert chat.state.data["values"] == {"category": "defeito-com-paralisacao"}
    assert chat.reply("intake_field").params["label"] == "Descrição"


def test_support_problem_aimed_at_infoeproc_is_redirected_to_eproc(chat: Conversation) -> None:
    chat.say("o infoeproc não abre, dá erro")
    assert chat.templates == ["support_redirect", "ask_grau"]
    text = chat.text()
    assert "NÃO se destina a pedido de suporte" in text
    assert "eproc 1º Grau e Colégio Recursal ou eproc 2º Grau" in text
    chat.tap("2º grau")
    assert chat.state.data["offer"] == "eproc-2g"


def test_problem_at_infoeproc_is_redirected_even_when_a_category_was_guessed(
    chat: Conversation,
) -> None:
    chat.say("abri no infoeproc porque n consigo entrar no eproc")
    assert chat.templates == ["support_redirect", "ask_grau"]


def test_correction_of_an_infoeproc_is_not_mistaken_for_a_problem(chat: Conversation) -> None:
    chat.say("o infoeproc tem uma informação errada sobre sigilo")
    assert chat.templates == ["intake_start", "intake_field"]
    assert chat.state.data["values"] == {"category": "informacao-incorreta"}


def test_infoeproc_suggestion_goes_to_infoeproc(chat: Conversation) -> None:
    chat.say("quero sugerir tema de infoeproc")
    assert chat.state.data["offer"] == "infoeproc-sugestao"
    assert "support_redirect" not in chat.templates


def test_not_solved_after_the_infoeproc_article_is_support_so_redirected(
    chat: Conversation,
) -> None:
    chat.say("o que é infoeproc?")
    chat.tap("Não resolveu")
    assert chat.templates == ["support_redirect", "ask_grau"]


def test_infoeproc_is_not_a_system_button_for_a_support_problem(chat: Conversation) -> None:
    chat.say("não consigo fazer login")
    assert "Infoeproc" not in chat.labels()


def test_problem_at_the_system_question_aimed_at_infoeproc_is_redirected(
    chat: Conversation,
) -> None:
    chat.say("não consigo fazer login")
    chat.say("é que o infoeproc não abre")
    assert chat.templates == ["support_redirect", "ask_grau"]


def test_menu_path_allows_choosing_infoeproc_without_redirect(chat: Conversation) -> None:
    chat.command("start")
    chat.tap("Abrir um chamado")
    chat.tap("Infoeproc")
    assert chat.templates == ["intake_start", "intake_field"]
    assert chat.state.data["offer"] == "infoeproc-sugestao"
    assert "NÃO se destina a pedido de suporte" in chat.text()


def test_menu_path_back_from_the_form_returns_to_the_system_question(chat: Conversation) -> None:
    chat.command("start")
    chat.tap("Abrir um chamado")
    chat.tap("SEI")
    chat.tap("Voltar")
    assert chat.state.name == "ask_system"


def test_free_text_at_the_menu_system_question_is_a_new_triage(
    chat: Conversation, triage: FakeTriage
) -> None:
    chat.command("start")
    chat.tap("Abrir um chamado")
    chat.say("o portal está fora do ar")
    assert triage.calls[-1] == "o portal está fora do ar"
    assert chat.state.data["offer"] == "suporte-tecnico"


def test_system_with_offers_not_split_by_grau_asks_the_offer(chat: Conversation) -> None:
    _eproc_lists_infoeproc(chat)
    chat.command("start")
    chat.tap("Abrir um chamado")
    chat.tap("eproc")
    assert chat.state.name == "ask_offer"
    assert "<b>Infoeproc</b>: APENAS sugerir temas" in chat.text()
    chat.say("infoeproc")
    assert chat.state.data["offer"] == "infoeproc-sugestao"


def test_offer_question_accepts_a_number_and_goes_back_to_the_system(chat: Conversation) -> None:
    _eproc_lists_infoeproc(chat)
    chat.command("start")
    chat.tap("Abrir um chamado")
    chat.tap("eproc")
    chat.tap("Voltar")
    assert chat.state.name == "ask_system"
    chat.tap("eproc")
    chat.say("2")
    assert chat.state.data["offer"] == "eproc-2g"


def test_support_problem_never_gets_the_service_offer_among_the_choices(
    chat: Conversation,
) -> None:
    _eproc_lists_infoeproc(chat)
    chat.say("não consigo fazer login")
    chat.tap("eproc")
    assert chat.state.name == "ask_grau"
