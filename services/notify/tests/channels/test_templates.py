"""Every email template renders with its declared sample variables; a variable a template uses but the
sample does not declare fails here, not at a send."""

from __future__ import annotations

import pytest

from notify.channels.rendering import CHANNEL_VARIABLES, TEMPLATE_DIR, TemplateError, catalog, render, render_sample

TEMPLATES = sorted(catalog())


def test_every_template_file_is_in_the_catalog_and_every_entry_has_both_parts() -> None:
    files = {p.stem for p in TEMPLATE_DIR.iterdir() if p.suffix in (".txt", ".html") and not p.stem.startswith("_")}
    assert files == set(TEMPLATES)
    for template_id in TEMPLATES:
        assert (TEMPLATE_DIR / f"{template_id}.txt").is_file(), template_id
        assert (TEMPLATE_DIR / f"{template_id}.html").is_file(), template_id
    assert "digest" in TEMPLATES


@pytest.mark.parametrize("template_id", TEMPLATES)
def test_each_template_renders_its_sample(template_id: str) -> None:
    rendered = render_sample(template_id)
    assert rendered.subject.strip() and "\n" not in rendered.subject
    assert any("\u4e00" <= ch <= "\u9fff" for ch in rendered.subject), "the subject is Chinese"
    assert catalog()[template_id].sample["link"] in rendered.text
    assert rendered.html.lstrip().startswith("<!DOCTYPE html>")
    assert "您收到此消息，是因为您是提案2026-015的提案者。" in rendered.text
    assert "不再接收此类邮件" in rendered.html


@pytest.mark.parametrize("template_id", TEMPLATES)
def test_each_template_uses_every_variable_it_declares_and_no_other(template_id: str) -> None:
    sample = dict(catalog()[template_id].sample)
    for name in sample:
        assert name not in CHANNEL_VARIABLES, f"{name} is given by the channel, not declared per template"
        missing = {k: v for k, v in sample.items() if k != name}
        with pytest.raises(TemplateError, match=name):
            render(template_id, missing)


def test_an_unknown_template_is_refused() -> None:
    with pytest.raises(TemplateError, match="no email template 'proposal-vanished'"):
        render("proposal-vanished", {})


def test_html_escapes_what_a_member_wrote_but_the_text_part_keeps_it() -> None:
    sample = {**catalog()["proposal-returned"].sample, "note": "<script>alert(1)</script> & 补充"}
    rendered = render("proposal-returned", sample)
    assert "&lt;script&gt;" in rendered.html and "<script>" not in rendered.html
    assert "<script>alert(1)</script> & 补充" in rendered.text


def test_a_newline_in_a_title_does_not_split_the_subject() -> None:
    sample = {**catalog()["proposal-accepted"].sample, "title": "第一行\r\nBcc: someone@example.com"}
    assert "\n" not in render("proposal-accepted", sample).subject
