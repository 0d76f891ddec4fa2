"""Issue 10's transcripts, on the real knowledge base and triage engine: understood as a good
attendant would."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.rendering import Renderer
from flows.actions import OpenTicket
from flows.ports import Services
from knowledge_base.loader import load_knowledge_base
from knowledge_base.models import KnowledgeBase
from knowledge_base.triage import Triage

from .conversation import Conversation
from .fakes import NOW, FakeTickets

KB_DIR = Path(__file__).parents[2] / "knowledge_base"


@pytest.fixture(scope="module")
def real_kb() -> KnowledgeBase:
    return load_knowledge_base(KB_DIR)


@pytest.fixture(scope="module")
def real_triage(real_kb: KnowledgeBase) -> Triage:
    return Triage(real_kb)


@pytest.fixture
def chat(real_kb: KnowledgeBase, real_triage: Triage) -> Conversation:
    return Conversation(Services(real_kb, real_triage, FakeTickets(), NOW, 7), Renderer(real_kb))


def test_nao_sei_the_verb_is_not_the_sei_system(chat: Conversation) -> None:
    chat.say("não sei mais o que fazer, o eproc não abre")
    assert chat.state.name == "ask_grau"
    assert "SEI" not in chat.text()


def test_nao_sei_at_the_grau_question_explains_how_to_tell(chat: Conversation) -> None:
    chat.say("o eproc não gerou a publicação do despacho")
    asked = chat.text()
    chat.say("nao sei")
    assert chat.state.name == "ask_grau"
    assert chat.templates == ["grau_help", "ask_grau"]
    assert "vara" in chat.text() and "desembargador" in chat.text()
    assert chat.text() != asked
    assert "Não sei: a equipe confirma o grau" in chat.labels()


def test_where_the_case_is_tells_the_grau(chat: Conversation) -> None:
    chat.say("o eproc não gerou a publicação do despacho")
    chat.say("não sei")
    chat.say("o processo corre na 2ª vara cível de Sorocaba")
    assert (chat.state.name, chat.state.data["offer"]) == ("intake", "eproc-1g")
    chat.restart()
    chat.say("está com um desembargador da 5ª Câmara de Direito Público")
    assert chat.state.data["offer"] == "eproc-1g"  # already in the form: a description now


def test_a_desembargador_answer_goes_to_the_2nd_grau(chat: Conversation) -> None:
    chat.say("no eproc, o processo ficou vinculado ao magistrado errado")
    chat.say("não sei qual é o meu grau")
    assert chat.templates == ["grau_help", "ask_grau"]
    chat.say("está com um desembargador da 5ª Câmara de Direito Público")
    assert chat.state.data["offer"] == "eproc-2g"


def test_nao_sei_with_where_the_case_is_needs_no_explanation(chat: Conversation) -> None:
    chat.say("o modelo de voto que a gente usa sumiu do eproc")
    chat.say("nem sei, trabalho com o relator, a gente julga as apelações")
    assert (chat.state.name, chat.state.data["offer"]) == ("intake", "eproc-2g")


def test_nao_sei_then_a_juizado_is_the_1st_grau(chat: Conversation) -> None:
    chat.say("o eproc não gerou a publicação do despacho")
    chat.say("não sei, mas o processo está num juizado especial")
    assert (chat.state.name, chat.state.data["offer"]) == ("intake", "eproc-1g")
    assert "grau_help" not in chat.templates


def test_a_second_nao_sei_lets_the_team_confirm_the_grau(chat: Conversation) -> None:
    chat.say("o eproc não gerou a publicação do despacho")
    chat.say("não sei")
    chat.say("não sei qual é o meu grau")
    assert (chat.state.name, chat.state.data["offer"]) == ("intake", "eproc-1g")
    assert "a confirmar" in chat.text()
    chat.tap("Usar a mensagem que enviei")
    chat.tap("Confirmar")
    ticket = chat.opened()
    assert isinstance(ticket, OpenTicket) and ticket.offer_id == "eproc-1g"
    assert "Grau a confirmar" in ticket.fields["descricao"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [("oi", "greeting"), ("bom dia", "greeting"), ("obrigado", "thanks"), ("tchau", "goodbye")],
)
def test_small_talk_is_answered_as_conversation(chat: Conversation, text: str, kind: str) -> None:
    chat.say(text)
    assert chat.templates == ["smalltalk"]
    assert chat.reply("smalltalk").params["kind"] == kind
    assert "fora do que eu atendo" not in chat.text()


def test_a_greeting_with_a_problem_goes_straight_to_the_problem(chat: Conversation) -> None:
    chat.say("olá! preciso de ajuda com o eproc")
    assert chat.state.name == "ask_grau"


def test_thanks_after_an_article_is_conversation_not_the_article_again(chat: Conversation) -> None:
    chat.say("o número que aparece no authenticator não é aceito na tela de validação do eproc")
    chat.say("era o relógio do celular mesmo, deu certo! obrigada, tchau")
    assert chat.templates == ["smalltalk"]
    assert chat.state.name == "idle"


def test_asking_for_a_person_asks_which_system_then_opens_its_intake(chat: Conversation) -> None:
    chat.say("falar com atendente")
    assert chat.state.name == "ask_system"
    chat.say("é sobre o SEI")
    assert (chat.state.name, chat.state.data["offer"]) == ("intake", "sei")


def test_voltar_with_nothing_in_progress_shows_the_menu(chat: Conversation) -> None:
    chat.say("voltar")
    assert chat.templates == ["nothing_in_progress"]
    assert "article" not in chat.templates


def test_menu_typed_anywhere_is_the_menu(chat: Conversation) -> None:
    chat.say("o eproc não gerou a publicação do despacho")
    chat.say("menu")
    assert (chat.state.name, chat.templates) == ("idle", ["welcome"])


def test_a_new_problem_typed_in_the_sei_form_asks_to_change_course(chat: Conversation) -> None:
    chat.say("o SEI não mostra o processo que me mandaram")
    assert chat.state.data["offer"] == "sei"
    chat.say("esquece, na verdade o problema é no eproc, erro na publicação")
    assert chat.templates == ["confirm_switch"]
    assert "não parece um endereço de e-mail" not in chat.text()
    assert "Quer deixar este chamado e tratar disso?" in chat.text()
    chat.tap("Sim, tratar disso")
    assert chat.state.name == "ask_grau"
    assert chat.state.data["category"] == "tramitacao"


def test_refusing_the_change_of_course_returns_to_the_form(chat: Conversation) -> None:
    chat.say("o SEI não mostra o processo que me mandaram")
    chat.say("esquece, na verdade o problema é no eproc, erro na publicação")
    chat.tap("Não, continuar o chamado")
    assert (chat.state.name, chat.state.data["offer"]) == ("intake", "sei")


def test_an_announced_change_to_another_matter_of_the_same_system_is_asked(
    chat: Conversation,
) -> None:
    chat.say("o eproc do 2º grau não expediu a citação do processo")
    assert (chat.state.name, chat.state.data["offer"]) == ("intake", "eproc-2g")
    chat.say("espera, esquece isso. como eu ativo a autenticação em dois fatores do eproc?")
    assert chat.templates == ["confirm_switch"]
    chat.tap("Sim, tratar disso")
    assert chat.state.data.get("article") == "eproc-2fa-ativar"


def test_the_problem_a_word_of_the_reply_names_is_chosen_before_an_order_word(
    chat: Conversation,
) -> None:
    chat.say(
        "quero sugerir um tema de infoeproc sobre prevenção e também meu acesso ao eproc do "
        "2º grau está bloqueado"
    )
    assert chat.state.name == "ask_subject"
    chat.say("o acesso primeiro, é urgente")
    assert chat.state.data.get("offer") == "eproc-2g"


def test_two_problems_are_both_said_and_the_other_offered_after(chat: Conversation) -> None:
    chat.say("Não consigo acessar o SEI e também o balcão virtual não abre")
    assert chat.state.name == "ask_subject"
    assert "SEI" in chat.text() and "balcão virtual" in chat.text()
    chat.say("vamos pelo balcão primeiro")
    assert _about_balcao(chat)
    assert chat.state.data["pending"] == "Não consigo acessar o SEI"


@pytest.mark.parametrize(
    "text",
    [
        "preciso de duas coisas: saber até que horas o balcão virtual atende e trocar a senha do "
        "site de suporte que chegou por email",
        "não consigo entrar no SEI e preciso saber o horário do balcão virtual",
    ],
)
def test_two_problems_joined_by_a_plain_e_are_both_said(chat: Conversation, text: str) -> None:
    chat.say(text)
    assert chat.state.name == "ask_subject"
    assert len(chat.state.data["subjects"]) == 2


def test_the_article_after_a_join_stays_with_the_part_it_names(chat: Conversation) -> None:
    # "e o sei": the join is "e"; "o" is what makes the lower-case "sei" a name.
    chat.say("o balcao virtual me derrubou da fila e o sei nao abre o processo")
    assert chat.state.name == "ask_subject"
    assert chat.state.data["subjects"][1] == "o sei nao abre o processo"


@pytest.mark.parametrize(
    "text",
    [
        "o eproc trava e fecha quando anexo a petição",
        "esqueci a senha e o usuário do SEI",
        "o balcão virtual abre e fecha sozinho",
    ],
)
def test_a_plain_e_inside_one_problem_splits_nothing(chat: Conversation, text: str) -> None:
    chat.say(text)
    assert chat.state.name != "ask_subject"


def test_the_pending_problem_is_offered_when_the_first_ticket_opens(chat: Conversation) -> None:
    chat.say("o eproc não publicou a decisão no 1º grau e também o balcão virtual não abre")
    chat.tap("o eproc não publicou a decisão no 1º grau")
    chat.tap("Usar a mensagem que enviei")
    chat.tap("Confirmar")
    assert chat.opened().offer_id == "eproc-1g"
    assert "next_subject" in chat.templates
    chat.tap("Tratar agora")
    assert _about_balcao(chat)


def test_a_lawyer_at_the_2nd_grau_is_eproc_2g_and_not_cadastros(chat: Conversation) -> None:
    chat.say("sou advogado e no segundo grau não consigo protocolar petição, dá erro")
    assert chat.state.name == "intake"
    assert chat.state.data["offer"] == "eproc-2g"
    assert chat.state.data["category"] != "cadastros"
    # The category chosen is said, and can be changed before the summary.
    assert "Categoria:" in chat.text()
    chat.tap("Mudar a categoria")
    assert chat.state.name == "intake"
    assert "Cadastros e sigilo" in chat.labels()


def test_a_slow_page_that_still_works_is_a_defect_without_stoppage(chat: Conversation) -> None:
    chat.say("a página está lenta e dá erro às vezes, mas dá pra usar")
    assert chat.state.name == "ask_system"
    chat.tap("Suporte técnico da ferramenta de solicitação de serviços públicos")
    assert chat.state.data["category"] == "defeito-sem-paralisacao"
    assert "até 24 horas corridas" in chat.text()


def test_an_unsure_portal_category_is_asked_with_descriptions_and_targets(
    chat: Conversation,
) -> None:
    chat.say("a ferramenta de solicitação de serviços está com problema ao enviar o formulário")
    assert chat.state.name == "intake"
    assert chat.state.data["category"] is None
    assert "até 4 horas corridas" in chat.text() and "até 24 horas corridas" in chat.text()
    chat.say("ainda consigo registrar se tentar de novo, só é chato")
    assert chat.state.data["values"]["category"] == "defeito-sem-paralisacao"


@pytest.mark.parametrize(
    ("reply", "category"),
    [
        (
            "é so uma duvida msm, queria saber como integrar o sistema do nosso orgao",
            "consulta-tecnica",
        ),
        ("na verdade é só uma dúvida de como usar o token", "consulta-tecnica"),
        ("dá erro às vezes mas dá pra usar", "defeito-sem-paralisacao"),
        ("caiu tudo, ninguém consegue atender o cidadão", "defeito-com-paralisacao"),
    ],
)
def test_a_category_described_in_words_at_the_question_is_understood(
    chat: Conversation, reply: str, category: str
) -> None:
    chat.say("abre um chamado pro suporte da ferramenta de servicos pra mim")
    assert chat.state.data["category"] is None  # asked: nothing in the request tells it
    chat.say(reply)
    assert chat.state.data["values"]["category"] == category


def test_a_reply_that_names_no_category_is_asked_again(chat: Conversation) -> None:
    chat.say("abre um chamado pro suporte da ferramenta de servicos pra mim")
    chat.say("deu problema")
    assert "category" not in chat.state.data["values"]
    assert chat.templates[0] == "error_choice_unknown"


def test_a_frustrated_message_is_acknowledged_first(chat: Conversation) -> None:
    chat.say("PELO AMOR DE DEUS, ninguém resolve! o eproc não abre")
    assert chat.templates[0] == "frustration_ack"


def test_a_cpf_is_masked_before_it_is_kept_and_the_user_told(chat: Conversation) -> None:
    chat.say("meu cpf é 123.456.789-09 e o eproc diz que meu usuário está bloqueado")
    assert "cpf_notice" in chat.templates
    assert "123.456.789-09" not in str(chat.state.to_dict())
    assert "***.***.***-**" in chat.state.data["text"]


def test_a_cnj_process_number_is_recognised(chat: Conversation) -> None:
    chat.say("processo 1004567-21.2024.8.26.0224 não aparece na fila de publicação do eproc")
    chat.say("trabalho na 3ª vara cível de Guarulhos")
    assert chat.state.data["offer"] == "eproc-1g"
    assert "1004567-21.2024.8.26.0224" in chat.text()


def _about_balcao(chat: Conversation) -> bool:
    """One of the Balcão Virtual's articles (access, hours) or its intake."""
    data = chat.state.data
    article = str(data.get("article", ""))
    return data.get("offer") == "balcao-virtual" or article.startswith("balcao-virtual-")


def test_a_short_question_gets_its_section_and_the_full_article_on_request(
    chat: Conversation,
) -> None:
    chat.say("no eproc a senha diferencia maiúsculas e minúsculas?")
    assert chat.state.data["article"] == "eproc-login"
    assert chat.reply("article").params["section"] is not None
    text = chat.text()
    assert "maiúsculas" in text and "Com certificado digital" not in text
    chat.tap("Ver o artigo completo")
    assert chat.reply("article").params["section"] is None
    assert "Com certificado digital" in chat.text()


def test_see_also_links_are_buttons_that_open_the_linked_article(chat: Conversation) -> None:
    chat.say("como ativo a autenticação em dois fatores no eproc?")
    assert chat.state.data["article"] == "eproc-2fa-ativar"
    # Numbered sections are one procedure: the whole article, without the "Veja também" list.
    assert chat.reply("article").params["section"] is None
    assert "Veja também" not in chat.text()
    labels = chat.labels()
    assert any("Perdi o celular" in label or "desativar" in label.lower() for label in labels)
    chat.tap("como desativar o 2FA")
    assert chat.state.data["article"] == "eproc-2fa-desativar"


def test_a_cpf_typed_in_a_form_description_is_masked_too(chat: Conversation) -> None:
    chat.say("o eproc não gerou a publicação do despacho no 1º grau")
    chat.say("a publicação do despacho não saiu; meu CPF é 12345678909 se precisar")
    assert "cpf_notice" in chat.templates
    assert "12345678909" not in str(chat.state.to_dict())


def test_the_nao_sei_button_lets_the_team_confirm_the_grau(chat: Conversation) -> None:
    chat.say("o eproc não gerou a publicação do despacho")
    chat.say("não sei")
    chat.tap("Não sei: a equipe confirma o grau")
    assert (chat.state.name, chat.state.data["offer"]) == ("intake", "eproc-1g")
    assert chat.state.data["grau_unsure"] is True


def test_a_see_also_button_on_an_old_message_opens_its_article_from_anywhere(
    chat: Conversation,
) -> None:
    chat.press("a:eproc-2fa-desativar")
    assert (chat.state.name, chat.state.data["article"]) == ("article", "eproc-2fa-desativar")
    chat.press("a:nao-existe")
    assert "not_understood" in chat.templates


def test_a_colon_introduces_the_topic_it_is_no_second_problem(chat: Conversation) -> None:
    chat.say("tenho uma ideia de tema pra um infoeproc novo: como criar localizadores")
    assert chat.state.name != "ask_subject"
    assert chat.state.data.get("offer") == "infoeproc-sugestao"


@pytest.mark.parametrize(
    "reply",
    [
        "esquece, na verdade é uma dúvida: quem define quais documentos o cidadão tem que mandar "
        "no pedido?",
        "pensando bem é só uma dúvida, o cidadão precisa de procuração pra pedir o serviço? quem "
        "decide isso?",
    ],
)
def test_a_business_rule_question_at_the_category_question_offers_to_leave_the_form(
    chat: Conversation, reply: str
) -> None:
    # "dúvida" names the Consultation category, but the question is the service manager's:
    # no ticket serves it, so the bot offers to leave the form for the article.
    chat.say("quero abrir chamado de defeito no portal de serviços")
    chat.say(reply)
    assert chat.state.name == "confirm_switch"
    assert chat.state.data["proposal"]["label"] == "article:regras-de-negocio"


def test_a_follow_up_naming_no_system_stays_with_the_article_it_follows(
    chat: Conversation,
) -> None:
    # Alone, "o e-mail cadastrado" reads like the SEI's form; after the eproc's 2FA article
    # it is more of the same matter: the article did not solve it, on to eproc's support.
    chat.say("roubaram meu celular e agora não tenho como gerar o código do eproc")
    assert chat.state.data.get("article") == "eproc-2fa-desativar"
    chat.say("mas o e-mail que eu cadastrei não existe mais, e agora?")
    assert chat.state.name == "ask_grau"
    assert chat.state.data["category"] == "acesso"
    assert "SEI" not in chat.text()


def test_a_follow_up_naming_another_system_is_a_new_question(chat: Conversation) -> None:
    chat.say("roubaram meu celular e agora não tenho como gerar o código do eproc")
    chat.say("e o balcão virtual, até que horas funciona?")
    assert chat.state.data.get("article") == "balcao-virtual-horario"


def test_a_question_put_before_the_form_goes_on_is_an_announced_change(
    chat: Conversation,
) -> None:
    chat.say("o SEI não mostra o processo que me mandaram")
    assert chat.state.data["offer"] == "sei"
    chat.say("antes disso, o que é o infoeproc que recebo por e-mail?")
    assert chat.templates == ["confirm_switch"]
    assert chat.state.data["proposal"]["label"] == "article:infoeproc"


def test_another_systems_question_at_the_grau_question_is_answered_first(
    chat: Conversation,
) -> None:
    # "vara" in it is where the Balcão Virtual's office is, not the eproc case's grau.
    chat.say("o eproc não deixa associar o magistrado ao processo")
    assert chat.state.name == "ask_grau"
    chat.say("pera, antes disso: até que horas funciona o balcão virtual da vara cível?")
    assert chat.state.data.get("article") == "balcao-virtual-horario"
    assert chat.state.data["pending"] == "o eproc não deixa associar o magistrado ao processo"
    assert "intake" not in chat.state.name


def test_a_question_about_the_answer_is_read_with_the_article_it_follows(
    chat: Conversation,
) -> None:
    chat.say("entrei no balcão virtual e apareceu que o atendimento ainda não começou")
    assert chat.state.data.get("article") == "balcao-virtual-horario"
    chat.say("mas agora são 11h de uma quarta-feira, por quê?")
    assert chat.state.data.get("article") == "balcao-virtual-horario"
    assert "fora do que eu atendo" not in chat.text()


def test_a_corrected_grau_moves_the_form_to_that_grau(chat: Conversation) -> None:
    chat.say("o modelo de sentença sumiu do eproc")
    chat.say("2º grau")
    assert (chat.state.name, chat.state.data["offer"]) == ("intake", "eproc-2g")
    chat.say("ops, me enganei, é no juizado especial")
    assert (chat.state.name, chat.state.data["offer"]) == ("intake", "eproc-1g")
    assert chat.state.data["category"] == "automacao"
    assert "eproc 1º Grau" in chat.text()


def test_a_description_that_mentions_a_court_is_no_correction(chat: Conversation) -> None:
    chat.say("o eproc do 2º grau não expediu a citação do processo")
    assert chat.state.data["offer"] == "eproc-2g"
    chat.say("o processo veio da vara cível de Santos e a citação não saiu")
    assert chat.state.data["offer"] == "eproc-2g"
