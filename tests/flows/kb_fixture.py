"""A small, realistic knowledge base built from the dataclasses, independent of editors' files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from knowledge_base.models import (
    Article,
    Category,
    Choice,
    IntakeField,
    KnowledgeBase,
    Language,
    Offer,
    OfficeHours,
    System,
)

ROOT = Path("/fixture-kb")

EPROC_CATEGORIES = (
    Category(
        "acesso", "Acesso", "cadastro, senha, problemas relacionados a acesso etc.", priority=2
    ),
    Category("automacao", "Automatizações, modelos e localizadores", "automatizações, modelos"),
    Category("tramitacao", "Tramitação processual", "erro na tramitação, redistribuição"),
    Category("cadastros", "Cadastros e sigilo", "associação de magistrados, partes, sigilo"),
)
CATEGORY = IntakeField("category", "category", "Categoria", "Qual opção descreve a demanda?")
DESCRIPTION = IntakeField(
    "descricao", "text", "Descrição", "Descreva o problema.", min_length=10, max_length=4000
)


def _eproc(grau: str) -> Offer:
    name = "eproc 1º Grau e Colégio Recursal" if grau == "1" else "eproc 2º Grau"
    return Offer(
        id=f"eproc-{grau}g",
        name=name,
        system="eproc",
        kind="suporte",
        purpose=f"Suporte do eproc ({name}).",
        code_prefix="EPR" if grau == "1" else "EPS",
        grau="1" if grau == "1" else "2",
        categories=EPROC_CATEGORIES,
        fields=(CATEGORY, DESCRIPTION),
        notice="Atente-se para o grau de jurisdição em que você está.",
    )


INFOEPROC = Offer(
    id="infoeproc-sugestao",
    name="Infoeproc",
    system="infoeproc",
    kind="servico",
    purpose="APENAS sugerir temas ou apontar informações incorretas em Infoeproc's.",
    code_prefix="INF",
    not_for="Pedido de suporte.",
    categories=(
        Category("sugestao-tema", "Sugerir tema", priority=5),
        Category(
            "informacao-incorreta",
            "Informação incorreta ou desatualizada",
            priority=4,
            keywords=("errada", "errado", "incorreta", "desatualizada", "erro no infoeproc"),
        ),
    ),
    fields=(CATEGORY, DESCRIPTION),
    support_redirect=("eproc-1g", "eproc-2g"),
    support_redirect_notice="A oferta “Infoeproc” NÃO se destina a pedido de suporte.",
    notice="A oferta “Infoeproc” NÃO se destina a pedido de suporte.",
)

SEI = Offer(
    id="sei",
    name="Helpdesk do SEI",
    system="sei",
    kind="suporte",
    purpose="Chamado ao CSG do seu órgão.",
    code_prefix="SEI",
    target_hours=120,
    target_label="até 5 dias",
    fields=(
        IntakeField(
            "orgao",
            "choice",
            "Órgão Vinculado",
            "Selecione o seu órgão.",
            choices=(
                Choice("samop", "SAMOP"),
                Choice("seduc", "SEDUC – Secretaria de Estado da Educação"),
                Choice("ses", "SES – Secretaria de Estado da Saúde"),
            ),
        ),
        IntakeField("nome", "text", "Nome completo", "Seu nome?", min_length=5, max_length=200),
        IntakeField("email", "email", "Email", "Seu e-mail?", confirm=True, max_length=254),
        IntakeField("descricao", "text", "Chamado", "Descreva.", min_length=10),
        IntakeField("anexo", "attachment", "Anexo", "Envie o print.", help="Obrigatório."),
    ),
    notice="O seu chamado vai para o CSG do órgão escolhido.",
)

SUPORTE = Offer(
    id="suporte-tecnico",
    name="Suporte técnico da ferramenta de solicitação de serviços",
    system="suporte",
    kind="suporte",
    purpose="Questões técnicas da ferramenta.",
    code_prefix="SUP",
    categories=(
        Category(
            "consulta-tecnica",
            "Consulta Técnica",
            target_hours=2,
            target_label="até 2 horas corridas",
            priority=2,
        ),
        Category(
            "defeito-com-paralisacao",
            "Defeitos (com Paralisação do Serviço)",
            target_hours=4,
            target_label="até 4 horas corridas",
            priority=1,
        ),
        Category(
            "defeito-sem-paralisacao",
            "Defeitos (sem Paralisação de Serviço)",
            target_hours=24,
            target_label="até 24 horas corridas",
            priority=3,
        ),
    ),
    fields=(
        CATEGORY,
        DESCRIPTION,
        IntakeField("anexo", "attachment", "Anexos", "Envie prints, se puder.", required=False),
    ),
)

BALCAO = Offer(
    id="balcao-virtual",
    name="Balcão Virtual",
    system="balcao",
    kind="atendimento",
    purpose="Atendimento por vídeo com o cartório.",
    code_prefix="BAL",
    fields=(
        IntakeField(
            "office",
            "choice",
            "Cartório",
            "Com qual cartório?",
            choices=(Choice("coord-entrada", "Coordenadoria de Entrada e Distribuição"),),
        ),
    ),
    offices=(
        OfficeHours(
            "coord-entrada",
            "Coordenadoria de Entrada e Distribuição",
            (0, 1, 2, 3, 4),
            "08:00",
            "19:00",
        ),
    ),
    notice="Quando chegar a sua vez, você terá até 1 (um) minuto para entrar.",
)

OFFERS = (_eproc("1"), _eproc("2"), INFOEPROC, SEI, SUPORTE, BALCAO)

SYSTEMS = (
    System("eproc", "eproc", ("eproc", "e-proc"), ("eproc-1g", "eproc-2g")),
    System("infoeproc", "Infoeproc", ("infoeproc",), ("infoeproc-sugestao",)),
    System("sei", "SEI", ("sei",), ("sei",)),
    System("suporte", "Portal de serviços (suporte técnico)", ("portal",), ("suporte-tecnico",)),
    System("balcao", "Balcão Virtual", ("balcao virtual",), ("balcao-virtual",)),
)


def _article(article_id: str, system: str, offers: tuple[str, ...], body: str) -> Article:
    title = article_id.replace("-", " ").capitalize()
    return Article(article_id, title, system, body, ROOT / f"{article_id}.md", offers)


ARTICLES = (
    _article(
        "eproc-2fa-codigo-invalido",
        "eproc",
        ("eproc-1g", "eproc-2g"),
        "Ajuste o **horário do celular** para obter a hora <automaticamente> & tente de novo.",
    ),
    _article("eproc-perfis", "eproc", (), "Perfis: Procurador-Chefe, Analista, Assistente."),
    _article("infoeproc", "infoeproc", ("infoeproc-sugestao",), "Os Infoeproc's são informativos."),
    replace(
        _article(
            "regras-de-negocio", "suporte", (), "Fale com o **gestor do serviço** no seu órgão."
        ),
        no_ticket=True,
    ),
    _article("sei-abrir-chamado", "sei", ("sei",), "Abra pelo Portal do SEI."),
)

TEXTS = {
    "escolha_de_grau": "Selecione UMA das duas ofertas de suporte.",
    "fora_do_horario": "O atendimento ainda não começou por aqui.",
}


LANGUAGE = Language(
    abbreviations={"n": "nao", "vc": "voce"},
    problem=("erro", "da erro", "nao funciona", "nao consigo", "errado", "errada", "travou"),
)


def build_kb() -> KnowledgeBase:
    """The fixture knowledge base."""
    return KnowledgeBase(
        root=ROOT,
        articles={a.id: a for a in ARTICLES},
        offers={o.id: o for o in OFFERS},
        systems={s.id: s for s in SYSTEMS},
        texts=TEXTS,
        language=LANGUAGE,
    )
