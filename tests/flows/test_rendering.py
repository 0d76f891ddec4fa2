"""Every template renders with realistic parameters, escapes user text and fits Telegram."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from jinja2 import UndefinedError

from bot.rendering import TEMPLATES, Renderer
from flows.actions import ButtonSpec
from flows.my_tickets import ticket_params
from flows.ports import HistoryEntry, TicketView

from .kb_fixture import build_kb

EVIL = "<script>alert('x')</script> & <b>"
AT = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)


def _ticket(**changes: object) -> dict[str, object]:
    history = (
        HistoryEntry(AT, "Chamado aberto", "novo"),
        HistoryEntry(AT + timedelta(hours=1), EVIL, None),
    )
    base = TicketView("SEI-7KX3QF", "sei", None, "novo", AT, AT + timedelta(days=5), 3, history)
    params = ticket_params(base, build_kb())
    params.update(changes)
    return params


PARAMS: dict[str, dict[str, object]] = {
    "welcome": {},
    "internal_error": {},
    "queue_position": {"code": "SEI-ABC234", "position": 2},
    "commands": {},
    "menu": {},
    "help": {"busy": True},
    "not_understood": {},
    "message_too_long": {"limit": 4096},
    "unknown_command": {"command": EVIL},
    "state_lost": {},
    "flow_left": {},
    "triage_none": {},
    "article": {"article_id": "eproc-2fa-codigo-invalido", "ticket_option": True},
    "article_solved": {},
    "ask_grau": {"category": "Tramitação processual", "hint": "Selecione UMA das ofertas."},
    "ask_system": {"systems": ["eproc", "SEI"], "described": True},
    "ask_offer": {"offers": [{"name": "Infoeproc", "purpose": "APENAS sugestões."}]},
    "support_redirect": {
        "offer": "Infoeproc",
        "explanation": "NÃO se destina a pedido de suporte.",
        "targets": ["eproc 1º Grau e Colégio Recursal", "eproc 2º Grau"],
    },
    "intake_start": {
        "offer": "eproc 1º Grau e Colégio Recursal",
        "notice": "Atente-se para o grau.",
        "fields": ["Categoria", "Descrição"],
        "category": "Tramitação processual",
        "target": "",
        "grau_unsure": True,
        "process": "1004567-21.2024.8.26.0224",
    },
    "smalltalk": {"kind": "greeting", "busy": True},
    "attachment_idle": {},
    "nothing_in_progress": {},
    "ask_subject": {"subjects": ["o SEI não abre <o processo>", "o balcão virtual & o horário"]},
    "confirm_switch": {"text": "na verdade é no eproc <erro> & publicação"},
    "next_subject": {"subject": "o balcão virtual não abre"},
    "grau_help": {"hint": "1º grau: vara, comarca, juizado. 2º grau: câmara, desembargador."},
    "frustration_ack": {},
    "cpf_notice": {},
    "attachment_received": {"file": {"name": "", "kind": "photo", "size": 1, "number": 1}},
    "intake_field": {
        "offer": "Helpdesk do SEI",
        "number": 4,
        "total": 5,
        "label": "Chamado",
        "prompt": "Descreva.",
        "help": "Com detalhes.",
        "kind": "text",
        "required": True,
        "options": [{"label": "SAMOP", "detail": "", "target": ""}],
        "current": EVIL,
        "suggestion": EVIL,
        "files": [],
    },
    "intake_email_confirm": {"label": "Email", "email": EVIL},
    "intake_summary": {
        "offer": "Helpdesk do SEI",
        "category": None,
        "target": "até 5 dias",
        "items": [
            {"label": "Nome completo", "value": EVIL, "kind": "text"},
            {"label": "Grau", "value": "2", "kind": "grau"},
            {"label": "Telefone", "value": "", "kind": "text"},
        ],
        "files": [{"name": "tela.png", "size": 48_213, "kind": "photo", "number": 1}],
    },
    "intake_fix": {"fields": ["Órgão Vinculado", "Nome completo"]},
    "error_text_too_short": {"min": 5},
    "error_text_too_long": {"max": 200, "length": 201},
    "error_email_invalid": {"value": EVIL},
    "error_email_mismatch": {},
    "error_choice_unknown": {"typed": EVIL},
    "error_attachment_required": {},
    "error_attachment_expected": {},
    "error_attachment_unexpected": {},
    "error_too_many_files": {"max": 10},
    "office_closed": {
        "office": "Coordenadoria",
        "weekdays": [0, 1, 2],
        "start": "13:00",
        "end": "19:00",
        "explanation": "O atendimento ainda não começou por aqui.",
    },
    "ticket_opened": {"ticket": _ticket()},
    "ticket_list": {"tickets": [_ticket(), _ticket(status="resolvido")], "total": 12},
    "ticket_detail": {"ticket": _ticket(rating=5)},
    "ticket_not_found": {"code": EVIL},
    "ticket_not_cancellable": {"ticket": _ticket(status="fechado")},
    "cancel_nothing": {},
    "cancel_choose": {"tickets": [_ticket()]},
    "cancel_ticket_confirm": {"ticket": _ticket()},
    "ticket_cancelled": {"code": "SEI-7KX3QF"},
    "ticket_kept": {"code": "SEI-7KX3QF"},
    "ticket_status_changed": {"code": "SEI-7KX3QF", "status": "aguardando_usuario"},
    "ticket_resolved": {"code": "SEI-7KX3QF"},
    "rating_comment": {"score": 4},
    "rating_thanks": {"score": 4, "commented": True},
    "rating_unavailable": {"code": "SEI-7KX3QF"},
    "data_export": {
        "generated_at": AT,
        "user": {"name": "Maria", "username": "maria_s"},
        "tickets": [
            {
                "code": "SEI-7KX3QF",
                "offer": "Helpdesk do SEI",
                "category": None,
                "status": "resolvido",
                "created_at": AT,
                "fields": 4,
                "attachments": 1,
                "history": 3,
                "rating": 5,
            }
        ],
        "tickets_count": 1,
        "conversations": 1,
        "messages": 2,
    },
    "data_export_caption": {"filename": "meus-dados-2025-06-02.json"},
    "data_export_filename": {"generated_at": AT},
    "erase_confirm": {},
    "data_erased": {},
    "erase_kept": {},
}

# Telegram's HTML parse mode accepts only these tags (Bot API, "Formatting options").
ALLOWED_TAGS = {"b", "i", "u", "s", "code", "pre", "a", "blockquote"}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(build_kb())


def test_every_template_file_has_realistic_params_here() -> None:
    files = {p.stem for p in TEMPLATES.glob("*.j2") if not p.stem.startswith("_")}
    assert files - {"buttons"} == set(PARAMS)


@pytest.mark.parametrize("template", sorted(PARAMS))
def test_template_renders_within_telegram_limits(renderer: Renderer, template: str) -> None:
    messages = renderer.render_messages(template, PARAMS[template])
    assert messages
    for message in messages:
        assert len(message) <= 4096
        tags = {t.strip("/").split()[0] for t in _tags(message)}
        assert tags <= ALLOWED_TAGS, tags
        assert "<script>" not in message


SHOWS_USER_TEXT = [
    "unknown_command",
    "intake_field",
    "intake_email_confirm",
    "intake_summary",
    "error_email_invalid",
    "error_choice_unknown",
    "ticket_not_found",
    "ticket_detail",
]


@pytest.mark.parametrize("template", SHOWS_USER_TEXT)
def test_user_text_with_markup_characters_is_escaped(renderer: Renderer, template: str) -> None:
    text = renderer.render(template, PARAMS[template])
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;" in text


def test_missing_param_fails_loudly(renderer: Renderer) -> None:
    with pytest.raises(UndefinedError):
        renderer.render("ticket_cancelled", {})


def test_dates_are_shown_in_brasilia_time(renderer: Renderer) -> None:
    text = renderer.render("ticket_detail", PARAMS["ticket_detail"])
    assert "Aberto em: 02/06/2025 às 12:00" in text


def test_article_template_splits_into_messages_with_the_question_last(renderer: Renderer) -> None:
    messages = renderer.render_messages("article", PARAMS["article"])
    assert messages[0].startswith("<b>Eproc 2fa codigo invalido</b>")
    assert messages[-1] == "Essa orientação resolveu o seu problema?"


def test_button_labels_are_plain_text_with_kb_text_unescaped(renderer: Renderer) -> None:
    assert renderer.button_label(ButtonSpec("text", "o:0", {"text": "Tom & Jerry <1>"})) == (
        "Tom & Jerry <1>"
    )
    assert renderer.button_label(ButtonSpec("score", "r:X:5", {"score": 5})) == "5 ⭐"


def test_every_button_macro_renders(renderer: Renderer) -> None:
    module = renderer.env.get_template("buttons.j2").module
    names = [n for n in dir(module) if not n.startswith("_")]
    params = {
        "text": {"text": "SEI"},
        "ticket": {"code": "SEI-7KX3QF"},
        "cancel_ticket": {"code": "SEI-7KX3QF"},
        "score": {"score": 3},
        "see_also": {"title": "Perdi o celular: como desativar o 2FA"},
        "category": {"name": "Consulta Técnica", "target": "até 2 horas corridas"},
        "queue_next": {"office": "Cartório X"},
    }
    for name in names:
        assert renderer.button_label(ButtonSpec(name, "d", params.get(name, {})))


def test_a_category_button_carries_its_resolution_target(renderer: Renderer) -> None:
    spec = ButtonSpec("category", "k:0", {"name": "Consulta Técnica", "target": "até 2 horas"})
    assert renderer.button_label(spec) == "Consulta Técnica · até 2 horas"
    bare = ButtonSpec("category", "k:1", {"name": "Acesso", "target": ""})
    assert renderer.button_label(bare) == "Acesso"


def test_unknown_button_label_fails_loudly(renderer: Renderer) -> None:
    with pytest.raises(KeyError):
        renderer.button_label(ButtonSpec("no_such_label", "d"))


def _tags(message: str) -> list[str]:
    return re.findall(r"<(/?[a-z]+[^>]*)>", message)


def test_a_text_rendered_again_is_reused_and_differs_when_a_nested_parameter_does() -> None:
    renderer = Renderer(build_kb())
    params = PARAMS["intake_field"]
    first = renderer.render_messages("intake_field", params)
    again = renderer.render_messages("intake_field", dict(params))
    first.append("changed by the caller")  # a copy: the cache is not the caller's list

    other_option = {**params, "options": [{"label": "SEATI", "detail": "", "target": ""}]}
    other = renderer.render_messages("intake_field", other_option)

    assert again == renderer.render_messages("intake_field", params) != first
    assert "SAMOP" in "".join(again) and "SEATI" not in "".join(again)
    assert "SEATI" in "".join(other) and "SAMOP" not in "".join(other)
    assert len(renderer._texts) == 2


def test_parameters_that_cannot_be_a_key_still_render() -> None:
    renderer = Renderer(build_kb())

    class Unhashable:
        __hash__ = None  # type: ignore[assignment]

        def __str__(self) -> str:
            return "SEI-ABC234"

    params = {"code": Unhashable(), "position": 2}
    assert "SEI-ABC234" in renderer.render("queue_position", params)
    assert renderer._texts == {}
