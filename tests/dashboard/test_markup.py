"""parabench.dashboard.markup: Django's format_html contract, value for value."""

from django.utils import html as django_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy, override

from parabench.dashboard import markup

VALUES = [
    "plain",
    "<b>&'\"",
    "",
    SafeString("<i>safe</i>"),
    mark_safe("<u>marked</u>"),
    12,
    3.5,
    None,
    gettext_lazy("Uw praktijk"),
    gettext_lazy("a <tag> & 'quotes'"),
]


def test_format_html_writes_what_django_writes_for_every_kind_of_value():
    for language in ("nl", "en"):
        with override(language):
            for value in VALUES:
                assert markup.format_html("<p title='{}'>{x}</p>", value, x=value) == (
                    django_html.format_html("<p title='{}'>{x}</p>", value, x=value)
                )


def test_escaped_writes_what_django_writes_for_each_character_it_replaces():
    for text in (
        "&",
        "<",
        ">",
        '"',
        "'",
        "a & b",
        "x<y",
        "5 > 3",
        'say "hi"',
        "it's",
        "59,3 %",
        "–",
    ):
        assert markup.escaped(text) == django_html.conditional_escape(text)


def test_format_html_escapes_plain_text_and_keeps_safe_markup():
    result = markup.format_html("{}{}", "<script>", SafeString("<br>"))
    assert result == "&lt;script&gt;<br>"
    assert isinstance(result, SafeString)


def test_format_html_join_writes_what_django_writes():
    rows = [("<a>", 1), (SafeString("<b>"), gettext_lazy("mediaan groep"))]
    assert markup.format_html_join(", ", "{}={}", rows) == django_html.format_html_join(
        ", ", "{}={}", rows
    )
    named = [{"k": "x&y"}, {"k": SafeString("&amp;")}]
    assert markup.format_html_join("<br>", "[{k}]", named) == django_html.format_html_join(
        "<br>", "[{k}]", named
    )
