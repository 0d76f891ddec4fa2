"""Portuguese normalization: folding, abbreviations from language.toml, stems, junk, long input."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from knowledge_base.language_file import read_language
from knowledge_base.models import KnowledgeBase, Language
from knowledge_base.normalize import MAX_CHARS, fold, has_phrase, plain, stem, terms, words
from knowledge_base.signals import SignalReader

from .kb_files import BUNDLED_KB


def test_bundled_language_file_reads_without_problems() -> None:
    _, problems = read_language(BUNDLED_KB / "language.toml")
    assert [str(p) for p in problems] == []


def test_fold_lowers_case_and_removes_accents() -> None:
    assert fold("AUTENTICAÇÃO Inválida Você Órgão").split() == [
        "autenticacao",
        "invalida",
        "voce",
        "orgao",
    ]


def test_fold_turns_punctuation_into_word_breaks() -> None:
    assert words("eproc:código/senha,não...funciona!?(sei)", {}) == [
        "eproc",
        "codigo",
        "senha",
        "nao",
        "funciona",
        "sei",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1º grau", "1o grau"), ("1° grau", "1o grau"), ("1ª instância", "1a instancia")],
)
def test_ordinal_indicators_become_letters(text: str, expected: str) -> None:
    assert plain(text, {}) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2º grau", "2o grau"), ("2° grau", "2o grau"), ("2ª instância", "2a instancia")],
)
def test_second_grau_ordinals_become_letters(text: str, expected: str) -> None:
    assert plain(text, {}) == expected


def _grau_reader(language: Language) -> SignalReader:
    return SignalReader(KnowledgeBase(root=Path("."), language=language))


@pytest.mark.parametrize(
    "text",
    [
        "sou do 1º grau",
        "sou do 1o grau",
        "sou do 1° grau",
        "trabalho no primeiro grau",
        "estou na 1a instância",
        "estou na 1ª instancia",
        "primeira instância",
        "1ºgrau",
        "PRIMEIRO GRAU",
    ],
)
def test_every_spelling_of_first_grau_reads_as_grau_1(language: Language, text: str) -> None:
    assert _grau_reader(language).read(text).grau == "1"


@pytest.mark.parametrize(
    "text",
    [
        "sou do 2º grau",
        "sou do 2o grau",
        "sou do 2° grau",
        "trabalho no segundo grau",
        "estou na 2a instância",
        "estou na 2ª instancia",
        "segunda instância",
    ],
)
def test_every_spelling_of_second_grau_reads_as_grau_2(language: Language, text: str) -> None:
    assert _grau_reader(language).read(text).grau == "2"


def test_message_naming_both_graus_has_no_grau(language: Language) -> None:
    assert (
        _grau_reader(language).read("sou do 1º grau mas o processo subiu ao 2º grau").grau is None
    )


@pytest.mark.parametrize(
    ("short", "full"),
    [("vc", "voce"), ("n", "nao"), ("pq", "porque"), ("q", "que"), ("tb", "tambem")],
)
def test_language_file_abbreviations_expand(language: Language, short: str, full: str) -> None:
    assert words(short, language.abbreviations) == [full]


def test_abbreviations_expand_inside_a_sentence(language: Language) -> None:
    text = "Vc sabe pq n entra? Q coisa, tb n sei"
    assert plain(text, language.abbreviations) == (
        "voce sabe porque nao entra que coisa tambem nao sei"
    )


def test_abbreviations_apply_to_whole_words_only(language: Language) -> None:
    # "nada" starts with "n" and "quero" with "q": neither may be touched.
    assert words("nada quero", language.abbreviations) == ["nada", "quero"]


def test_expanded_negation_is_found_as_a_phrase(language: Language) -> None:
    flat = plain("n consigo entrar", language.abbreviations)
    assert has_phrase(flat, "nao consigo")
    assert not has_phrase(flat, "consigo entrar no")


@pytest.mark.parametrize(
    "forms",
    [
        ("senha", "senhas"),
        ("código", "códigos", "codigo", "codigos"),
        ("usuário", "usuários", "usuario", "usuarios"),
        ("instância", "instâncias", "instancia", "instancias"),
        ("certificado", "certificados"),
        ("navegador", "navegadores"),
        ("redistribuição", "redistribuicao"),
        ("acessar", "acesso"),
    ],
)
def test_singular_plural_and_accents_share_a_stem(language: Language, forms: tuple[str]) -> None:
    stems = {tuple(terms(form, language.abbreviations, language.stopwords)) for form in forms}
    assert len(stems) == 1, stems


@pytest.mark.parametrize(
    "forms",
    [
        ("autenticação", "autenticações", "autenticacao", "autenticacoes"),
        ("publicação", "publicações", "publicacao", "publicacoes"),
        ("intimação", "intimações", "intimacao", "intimacoes"),
    ],
)
def test_cao_coes_plurals_share_a_stem(language: Language, forms: tuple[str]) -> None:
    stems = {tuple(terms(form, language.abbreviations, language.stopwords)) for form in forms}
    assert len(stems) == 1, stems


def test_stopwords_are_dropped_from_terms(language: Language) -> None:
    assert terms("o meu processo", language.abbreviations, language.stopwords) == [stem("processo")]


def test_short_words_and_numbers_are_not_stemmed() -> None:
    assert (stem("sei"), stem("2fa"), stem("12345")) == ("sei", "2fa", "12345")


@pytest.mark.parametrize(
    "junk",
    [
        "😀🔥👍",
        "Привет мир",
        "你好世界",
        "مرحبا بالعالم",
        "\x00\x07\x1b\x7f\u200b\u202e\ufeff",
        "שלום",
        "ß",
    ],
)
def test_emoji_other_scripts_and_control_chars_are_dropped(junk: str) -> None:
    assert words(f"eproc {junk} senha", {}) == ["eproc", "senha"]


def test_emoji_glued_to_words_split_them() -> None:
    assert words("eproc😀senha\x00sei", {}) == ["eproc", "senha", "sei"]


def test_fold_keeps_no_more_than_max_chars() -> None:
    assert len(fold("a" * (MAX_CHARS * 5))) == MAX_CHARS


def test_words_after_the_cut_are_ignored() -> None:
    text = "eproc " + "x " * MAX_CHARS + "sei"
    found = words(text, {})
    assert found[0] == "eproc"
    assert "sei" not in found


def _fold_reference(text: str) -> str:
    """fold as first written, one character at a time: what the fast version must match."""
    decomposed = unicodedata.normalize("NFKD", text[:MAX_CHARS].replace("°", "o"))
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if c.isascii() and c.isalnum() else " " for c in kept.lower())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Combining marks typed separately (NFD input) vanish like precomposed accents.
        ("autenticac\u0327a\u0303o", "autenticacao"),
        ("Ça\u0301", "ca"),
        # A mark outside the Latin block (combining dotted grave, U+1DC0) is dropped too.
        ("se\u1dc0nha", "senha"),
        # The combining grapheme joiner has combining class 0: it is a break, not an accent.
        ("se\u034fnha", "se nha"),
        ("eproc😀senha", "eproc senha"),
        ("eproc 😀 senha", "eproc   senha"),
        ("1º grau, 2° grau, 3ª vara", "1o grau  2o grau  3a vara"),
        ("İNSTÂNCIA", "instancia"),
        ("ﬁm ½", "fim 1 2"),
        ("ＥＰＲＯＣ", "eproc"),
        ("Привет мир", " " * 10),
        ("senha 你好", "senha   "),
    ],
)
def test_fold_edge_cases(text: str, expected: str) -> None:
    assert fold(text) == expected
    assert fold(text) == _fold_reference(text)


def test_fold_matches_the_per_character_definition_on_every_bmp_character() -> None:
    # Every character of the Basic Multilingual Plane, alone and between letters.
    for start in range(0, 0x10000, 4096):
        chars = [chr(c) for c in range(start, start + 4096) if not 0xD800 <= c < 0xE000]
        alone = "".join(chars)[: MAX_CHARS // 2]
        for text in (*chars, "".join(f"a{c}b" for c in chars[:600]), alone):
            assert fold(text) == _fold_reference(text), repr(text[:40])


def test_words_are_the_words_of_fold() -> None:
    text = "Autenticação İNSTÂNCIA: 1º grau — ﬁm!!\u200bsenha\u0301 ok😀sei"
    assert words(text, {}) == fold(text).split()
