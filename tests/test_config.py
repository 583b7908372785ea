"""salon.toml parsing: valid configs, the exact diagnostics for invalid ones, and the locator."""

from __future__ import annotations

import dataclasses
import textwrap
import tomllib
from typing import Any

import pytest

from salon_gen.core.config import CONFIG_FILE, SCHEMA, Key, Table, locate_keys, parse_config
from salon_gen.core.model import Author, Config, FeedOptions, InterestOptions

TOP = 'title = "T"\nbase_url = "https://example.org/"\n'
AUTHOR = '[author]\nname = "Ada"\n'
ADA = Author(name="Ada")

# --- valid configs ------------------------------------------------------------------------

FULL = """\
title = "Ada's Salon"
base_url = "https://ada.example.org/blog"
description = "Notes, links and friends"
language = "pt-BR"
timezone = "Europe/London"
theme = "my_theme-2"
output_dir = "public/site"
identities = [
    "https://github.com/ada",
    "mailto:ada@example.org",  # a comment inside the array
]

[author]
name = "Ada Lovelace"
url = "https://ada.example.org/about/"
email = "ada@example.org"
avatar = "/static/ada.jpg"

[feeds]
items = 1000
full_content = false
"""

VALID = [
    pytest.param(
        TOP + AUTHOR,
        Config(title="T", base_url="https://example.org/", author=ADA),
        id="minimal-gets-defaults",
    ),
    pytest.param(
        'title = "T"\nbase_url = "https://example.org"\n' + AUTHOR,
        Config(title="T", base_url="https://example.org/", author=ADA),
        id="base-url-gets-trailing-slash",
    ),
    pytest.param(
        FULL,
        Config(
            title="Ada's Salon",
            base_url="https://ada.example.org/blog/",
            description="Notes, links and friends",
            language="pt-BR",
            timezone="Europe/London",
            theme="my_theme-2",
            output_dir="public/site",
            identities=("https://github.com/ada", "mailto:ada@example.org"),
            author=Author(
                name="Ada Lovelace",
                url="https://ada.example.org/about/",
                email="ada@example.org",
                avatar="/static/ada.jpg",
            ),
            feeds=FeedOptions(items=1000, full_content=False),
        ),
        id="full",
    ),
    pytest.param(
        TOP + 'author.name = "Ada"\nauthor.avatar = "https://cdn.example.org/a.png"\n'
        "feeds.items = 1\n",
        Config(
            title="T",
            base_url="https://example.org/",
            author=Author(name="Ada", avatar="https://cdn.example.org/a.png"),
            feeds=FeedOptions(items=1),
        ),
        id="dotted-keys",
    ),
    pytest.param(
        TOP + 'author = { name = "Ada" }\noutput_dir = "/var/www/salon"\n',
        Config(title="T", base_url="https://example.org/", author=ADA, output_dir="/var/www/salon"),
        id="inline-table-and-absolute-output-dir",
    ),
    pytest.param(
        "\ufeff" + TOP + AUTHOR,
        Config(title="T", base_url="https://example.org/", author=ADA),
        id="byte-order-mark",
    ),
    pytest.param(
        TOP
        + AUTHOR
        + "[interests.aliases]\n"
        + 'machine-learning = ["ml", "Machine Learning", "ML"]  # its own name is harmless\n'
        + '"Static Sites" = ["SSG", "static site generators"]\n'
        + "empty = []\n",
        Config(
            title="T",
            base_url="https://example.org/",
            author=ADA,
            # slug of each spelling -> slug of its interest, as interests.canonical reads it
            interests=InterestOptions(
                aliases={
                    "ml": "machine-learning",
                    "ssg": "static-sites",
                    "static-site-generators": "static-sites",
                }
            ),
        ),
        id="interest-aliases",
    ),
    pytest.param(
        TOP + AUTHOR + "[interests]\naliases = {}\n",
        Config(title="T", base_url="https://example.org/", author=ADA),
        id="no-interest-aliases",
    ),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_valid_config(text: str, expected: Config) -> None:
    assert parse_config(text) == (expected, ())


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://Example.ORG", "https://example.org/"),
        ("HTTP://example.org/blog", "http://example.org/blog/"),
        ("http://localhost:8000/", "http://localhost:8000/"),
        ("https://example.org/Blog/", "https://example.org/Blog/"),  # paths are case-sensitive
    ],
)
def test_base_url_is_normalised(base_url: str, expected: str) -> None:
    config, _ = parse_config(f'title = "T"\nbase_url = "{base_url}"\n{AUTHOR}')
    assert config is not None
    assert config.base_url == expected


# --- invalid configs: the exact diagnostics -----------------------------------------------

INVALID = [
    # TOML syntax
    pytest.param(
        'title = My Salon\nbase_url = "https://example.org/"\n',
        """
        salon.toml:1:9: error: invalid TOML: invalid value
          hint: quote text values: title = "My Salon"
        """,
        id="syntax-unquoted-string",
    ),
    pytest.param(
        TOP + AUTHOR + "[feeds]\nfull_content = yes  # a comment\n",
        """
        salon.toml:6:16: error: invalid TOML: invalid value
          hint: write true or false, in lower case: full_content = true
        """,
        id="syntax-yes-for-a-boolean",
    ),
    pytest.param(
        TOP + AUTHOR + "[feeds]\nitems = twenty\n",
        """
        salon.toml:6:9: error: invalid TOML: invalid value
          hint: write a whole number: items = 20
        """,
        id="syntax-word-for-an-integer",
    ),
    pytest.param(
        'identities = ["a", b]\n',
        """
        salon.toml:1:20: error: invalid TOML: invalid value
        """,
        id="syntax-no-hint-inside-an-array",
    ),
    pytest.param(
        TOP + 'title = "Again"\n' + AUTHOR,
        """
        salon.toml:3:1: error: invalid TOML: 'title' is set twice
          hint: it is first set on line 1; keep one of them
        """,
        id="syntax-duplicate-key",
    ),
    pytest.param(
        TOP + AUTHOR + '[author]\nurl = "https://example.org/"\n',
        """
        salon.toml:5:1: error: invalid TOML: table [author] is declared twice
          hint: merge it into the [author] on line 3
        """,
        id="syntax-duplicate-table",
    ),
    pytest.param(
        TOP + AUTHOR + 'description = """Starts here\n\n[feeds]\nitems = 3\n',
        """
        salon.toml:5:1: error: invalid TOML: unterminated string
          hint: the value of this key is never closed
        """,
        id="syntax-unterminated-multiline-string-points-at-its-key",
    ),
    pytest.param(
        'title = "T\nbase_url = "https://example.org/"\n',
        '''
        salon.toml:1:11: error: invalid TOML: string not closed before the end of the line
          hint: close the string on the same line, or use """ for text over several lines
        ''',
        id="syntax-unterminated-string",
    ),
    # unknown keys
    pytest.param(
        'titel = "T"\nbase_url = "https://example.org/"\n' + AUTHOR,
        """
        salon.toml:1: error: missing required key 'title'
          hint: add: title = "My Salon"
        salon.toml:1:1: error: unknown key 'titel'
          hint: did you mean 'title'?
        """,
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        TOP + AUTHOR + 'nmae = "Ada"\n"home page" = "x"\n',
        """
        salon.toml:5:1: error: unknown key 'nmae' in [author]
          hint: did you mean 'name'?
        salon.toml:6:1: error: unknown key 'home page' in [author]
        """,
        id="unknown-key-in-author",
    ),
    pytest.param(
        TOP + AUTHOR + "\n[autor]\nx = 1\n",
        """
        salon.toml:6:1: error: unknown table [autor]
          hint: did you mean 'author'?
        """,
        id="unknown-table",
    ),
    pytest.param(
        TOP + 'author = { name = "Ada", nmae = "Ada" }\n',
        """
        salon.toml:3: error: unknown key 'nmae' in [author]
          hint: did you mean 'name'?
        """,
        id="unknown-key-in-inline-table-points-at-its-line",
    ),
    # keys at the wrong level
    pytest.param(
        TOP + 'name = "Ada"\nitems = 20\n' + AUTHOR,
        """
        salon.toml:3:1: error: unknown key 'name'
          hint: 'name' belongs in [author]
        salon.toml:4:1: error: unknown key 'items'
          hint: 'items' belongs in [feeds]
        """,
        id="wrong-level-top",
    ),
    pytest.param(
        TOP + AUTHOR + 'theme = "mine"\n',
        """
        salon.toml:5:1: error: unknown key 'theme' in [author]
          hint: 'theme' is a top-level key: move it above the first [table]
        """,
        id="wrong-level-top-level-key-under-a-table",
    ),
    pytest.param(
        TOP + AUTHOR + "[author.feeds]\nitems = 3\n",
        """
        salon.toml:5:1: error: unknown table [author.feeds]
          hint: 'feeds' is a top-level table: write it as [feeds]
        """,
        id="wrong-level-table",
    ),
    # missing keys
    pytest.param(
        'title = "T"\n' + AUTHOR,
        """
        salon.toml:1: error: missing required key 'base_url'
          hint: add: base_url = "https://example.org/"
        """,
        id="missing-base-url",
    ),
    pytest.param(
        TOP,
        """
        salon.toml:1: error: missing required table [author]
          hint: add: [author] with name = "Your Name"
        """,
        id="missing-author",
    ),
    pytest.param(
        TOP + '\n[author]\nurl = "https://example.org/"\n',
        """
        salon.toml:4:1: error: missing required key 'name' in [author]
          hint: add: name = "Your Name"
        """,
        id="missing-author-name-points-at-header",
    ),
    pytest.param(
        "",
        """
        salon.toml:1: error: missing required key 'base_url'
          hint: add: base_url = "https://example.org/"
        salon.toml:1: error: missing required key 'title'
          hint: add: title = "My Salon"
        salon.toml:1: error: missing required table [author]
          hint: add: [author] with name = "Your Name"
        """,
        id="empty-file",
    ),
    # base_url
    pytest.param(
        'title = "T"\nbase_url = "ftp://example.org/"\n' + AUTHOR,
        """
        salon.toml:2:1: error: base_url: expected an http or https URL, got "ftp://example.org/"
          hint: did you mean "https://example.org/"?
        """,
        id="base-url-ftp",
    ),
    pytest.param(
        'title = "T"\nbase_url = "example.org"\n' + AUTHOR,
        """
        salon.toml:2:1: error: base_url: expected an http or https URL, got "example.org"
          hint: did you mean "https://example.org"?
        """,
        id="base-url-without-scheme",
    ),
    pytest.param(
        'title = "T"\nbase_url = "javascript:alert(1)"\n' + AUTHOR,
        """
        salon.toml:2:1: error: base_url: expected an http or https URL, got "javascript:alert(1)"
        """,
        id="base-url-javascript",
    ),
    pytest.param(
        'title = "T"\nbase_url = "https:///blog/"\n' + AUTHOR,
        """
        salon.toml:2:1: error: base_url: expected an http or https URL, got "https:///blog/"
        """,
        id="base-url-without-host",
    ),
    pytest.param(
        'title = "T"\nbase_url = "http://[::1"\n' + AUTHOR,
        """
        salon.toml:2:1: error: base_url: expected an http or https URL, got "http://[::1"
        """,
        id="base-url-unparseable",
    ),
    pytest.param(
        'title = "T"\nbase_url = "https://example.org:80a/"\n' + AUTHOR,
        """
        salon.toml:2:1: error: base_url: has an invalid port: "https://example.org:80a/"
        """,
        id="base-url-bad-port",
    ),
    pytest.param(
        'title = "T"\nbase_url = "https://example.org/?page=1"\n' + AUTHOR,
        """
        salon.toml:2:1: error: base_url: must not have a query (?) or fragment (#)
          hint: did you mean "https://example.org/"?
        """,
        id="base-url-query",
    ),
    pytest.param(
        'title = "T"\nbase_url = "https://ada@example.org/"\n' + AUTHOR,
        """
        salon.toml:2:1: error: base_url: must not contain a user name or password
        """,
        id="base-url-credentials",
    ),
    # timezone
    pytest.param(
        TOP + 'timezone = "Europe/Londn"\n' + AUTHOR,
        """
        salon.toml:3:1: error: timezone: unknown time zone "Europe/Londn"
          hint: did you mean 'Europe/London'?
        """,
        id="timezone-typo",
    ),
    pytest.param(
        TOP + 'timezone = "utc"\n' + AUTHOR,
        """
        salon.toml:3:1: error: timezone: unknown time zone "utc"
          hint: did you mean 'UTC'?
        """,
        id="timezone-case",
    ),
    pytest.param(
        TOP + 'timezone = "Mars/Olympus"\n' + AUTHOR,
        """
        salon.toml:3:1: error: timezone: unknown time zone "Mars/Olympus"
          hint: use an IANA name, such as "Europe/London"
        """,
        id="timezone-unknown",
    ),
    pytest.param(
        TOP + 'timezone = "localtime"\n' + AUTHOR,
        """
        salon.toml:3:1: error: timezone: unknown time zone "localtime"
          hint: name the zone, such as "Europe/London"
        """,
        id="timezone-localtime-differs-per-machine",
    ),
    # [feeds]
    pytest.param(
        TOP + AUTHOR + "[feeds]\nitems = true\n",
        """
        salon.toml:6:1: error: feeds.items: expected an integer, got a boolean
        """,
        id="items-bool",
    ),
    pytest.param(
        TOP + AUTHOR + '[feeds]\nitems = "20"\n',
        """
        salon.toml:6:1: error: feeds.items: expected an integer, got a string
          hint: write numbers without quotes: items = 20
        """,
        id="items-string",
    ),
    pytest.param(
        TOP + AUTHOR + "[feeds]\nitems = 20.0\n",
        """
        salon.toml:6:1: error: feeds.items: expected an integer, got a float
          hint: write a whole number: items = 20
        """,
        id="items-float",
    ),
    pytest.param(
        TOP + AUTHOR + "[feeds]\nitems = 1001\n",
        """
        salon.toml:6:1: error: feeds.items: must be between 1 and 1000, got 1001
        """,
        id="items-too-many",
    ),
    pytest.param(
        TOP + AUTHOR + '[feeds]\nfull_content = "false"\n',
        """
        salon.toml:6:1: error: feeds.full_content: expected a boolean, got a string
          hint: write true or false without quotes: full_content = false
        """,
        id="full-content-string",
    ),
    # other keys
    pytest.param(
        'title = 2024-03-05\nbase_url = "https://example.org/"\n' + AUTHOR,
        """
        salon.toml:1:1: error: title: expected a string, got a date
          hint: quote text values: title = "2024-03-05"
        """,
        id="title-date",
    ),
    pytest.param(
        'title = "  "\nbase_url = "https://example.org/"\n[author]\nname = ""\n',
        """
        salon.toml:1:1: error: title: must not be empty
        salon.toml:4:1: error: author.name: must not be empty
        """,
        id="empty-title-and-name",
    ),
    pytest.param(
        TOP + 'identities = ["https://x.example/@a", "ada.blog", 7, "mailto:a@x"]\n' + AUTHOR,
        """
        salon.toml:3:1: error: identities[1]: expected an http(s) or mailto: URL, got "ada.blog"
          hint: did you mean "https://ada.blog"?
        salon.toml:3:1: error: identities[2]: expected a string, got an integer
        """,
        id="identities-items",
    ),
    pytest.param(
        TOP + 'identities = "https://example.org/@ada"\n' + AUTHOR,
        """
        salon.toml:3:1: error: identities: expected an array of strings, got a string
          hint: use an array: identities = ["https://example.org/@ada"]
        """,
        id="identities-not-an-array",
    ),
    pytest.param(
        TOP + 'language = "en_GB"\n' + AUTHOR,
        """
        salon.toml:3:1: error: language: expected a language tag like "en" or "pt-BR", got "en_GB"
          hint: did you mean "en-GB"?
        """,
        id="language-underscore",
    ),
    pytest.param(
        TOP + 'theme = "themes/mine"\n' + AUTHOR,
        """
        salon.toml:3:1: error: theme: expected a folder name under themes/, got "themes/mine"
          hint: did you mean "mine"?
        """,
        id="theme-path",
    ),
    pytest.param(
        TOP + 'output_dir = "../public"\n' + AUTHOR,
        """
        salon.toml:3:1: error: output_dir: must not contain "..", got "../public"
        """,
        id="output-dir-dotdot",
    ),
    pytest.param(
        TOP + 'output_dir = "./"\n' + AUTHOR,
        """
        salon.toml:3:1: error: output_dir: cannot be the salon folder itself
        """,
        id="output-dir-salon-folder",
    ),
    pytest.param(
        TOP + 'output_dir = "Content/site"\n' + AUTHOR,
        """
        salon.toml:3:1: error: output_dir: would overwrite the salon's own "Content"
          hint: use "site"
        """,
        id="output-dir-content",
    ),
    pytest.param(
        TOP + AUTHOR + 'email = "mailto:ada@example.org"\navatar = "img/a.png"\n',
        """
        salon.toml:5:1: error: author.email: expected an email address, got "mailto:ada@example.org"
          hint: did you mean "ada@example.org"?
        salon.toml:6:1: error: author.avatar: expected a site path or http(s) URL, got "img/a.png"
          hint: did you mean "/img/a.png"?
        """,
        id="email-and-avatar",
    ),
    pytest.param(
        TOP + AUTHOR + 'avatar = "//cdn.io/a"\n',
        """
        salon.toml:5:1: error: author.avatar: expected a site path or http(s) URL, got "//cdn.io/a"
          hint: did you mean "https://cdn.io/a"?
        """,
        id="avatar-protocol-relative",
    ),
    pytest.param(
        TOP + '[[author]]\nname = "Ada"\n',
        """
        salon.toml:3: error: author: expected a table, got an array of tables
          hint: write [author] with single brackets: [[author]] starts an array of tables
        """,
        id="author-array-of-tables",
    ),
    pytest.param(
        TOP + 'author = "Ada"\n',
        """
        salon.toml:3:1: error: author: expected a table, got a string
          hint: write [author] on a line of its own, then its keys below it
        """,
        id="author-string",
    ),
    # dotted keys are located on their own line and column
    pytest.param(
        TOP + 'author.name = "Ada"\n  author . "nmae" = "Ada"\nfeeds.items = false\n',
        """
        salon.toml:4:3: error: unknown key 'nmae' in [author]
          hint: did you mean 'name'?
        salon.toml:5:1: error: feeds.items: expected an integer, got a boolean
        """,
        id="dotted-keys",
    ),
    # everything at once, sorted by line
    pytest.param(
        """\
title = 3
base_url = "ftp://example.org/"
timezone = "Mars/Olympus"
name = "Ada"

[author]
url = "example.org"

[feeds]
items = 0
""",
        """
        salon.toml:1:1: error: title: expected a string, got an integer
          hint: quote text values: title = "3"
        salon.toml:2:1: error: base_url: expected an http or https URL, got "ftp://example.org/"
          hint: did you mean "https://example.org/"?
        salon.toml:3:1: error: timezone: unknown time zone "Mars/Olympus"
          hint: use an IANA name, such as "Europe/London"
        salon.toml:4:1: error: unknown key 'name'
          hint: 'name' belongs in [author]
        salon.toml:6:1: error: missing required key 'name' in [author]
          hint: add: name = "Your Name"
        salon.toml:7:1: error: author.url: expected an http or https URL, got "example.org"
          hint: did you mean "https://example.org"?
        salon.toml:10:1: error: feeds.items: must be between 1 and 1000, got 0
        """,
        id="several-errors-at-once",
    ),
    # [interests.aliases]: every spelling names one interest, and no chains
    pytest.param(
        TOP
        + AUTHOR
        + "\n[interests.aliases]\n"
        + 'films = ["movies", "cinema"]\n'
        + 'tv = ["Movies", "television"]\n'
        + 'video = ["films"]\n'
        + 'Films = ["flicks"]\n',
        """
        salon.toml:8:1: error: interests.aliases.tv: "Movies" is already a spelling of "films"
          hint: a spelling can belong to one interest only: remove it from one line
        salon.toml:9:1: error: interests.aliases.video: "films" is itself an interest with aliases
          hint: list every spelling under one name: merge video and films into one line
        salon.toml:10:1: error: interests.aliases.Films: is the same interest as "films"
          hint: list all its spellings on one line: films = [...]
        """,
        id="interest-aliases-ambiguous",
    ),
    pytest.param(
        TOP
        + AUTHOR
        + "[interests.aliases]\n"
        + 'ml = "machine-learning"\n'
        + 'letters = ["correspondence", 3]\n'
        + '"?!" = ["what"]\n'
        + 'rss = ["--"]\n',
        """
        salon.toml:6:1: error: interests.aliases.ml: expected an array of strings, got a string
          hint: name the interest, then its spellings: machine-learning = ["ml"]
        salon.toml:7:1: error: interests.aliases.letters[1]: expected a string, got an integer
        salon.toml:8:1: error: interests.aliases."?!": "?!" has no letters or digits
        salon.toml:9:1: error: interests.aliases.rss[0]: "--" has no letters or digits
        """,
        id="interest-aliases-wrong-types",
    ),
    pytest.param(
        TOP + AUTHOR + '[interests]\naliases = ["ml"]\nmachine-learning = ["ml"]\n',
        """
        salon.toml:6:1: error: interests.aliases: expected a table of string arrays, got an array
          hint: write a table: aliases = { machine-learning = ["ml", "machine learning"] }
        salon.toml:7:1: error: unknown key 'machine-learning' in [interests]
          hint: spellings go in [interests.aliases]: machine-learning = ["ml"]
        """,
        id="interest-aliases-not-a-table",
    ),
]


@pytest.mark.parametrize(("text", "expected"), INVALID)
def test_invalid_config(text: str, expected: str) -> None:
    config, diagnostics = parse_config(text)
    assert config is None
    assert "\n".join(d.format() for d in diagnostics) == textwrap.dedent(expected).strip("\n")


ODD_VALUES = [
    *('""', '" "', '"\\u0000"', '"a\\nb"', '".."', '"/"', '"//"', '"C:\\\\x"', '"mailto:"'),
    *('"http://[::1"', '"https://x:99999/"', '"Europe/"', '"Europe/../UTC"', '"' + "x" * 500 + '"'),
    *("0", "-1", "1e400", "nan", "true", "2024-01-01", "2024-01-01T00:00:00Z", "00:00:00"),
    *("[]", "[[]]", '[1, "a"]', "{}", "{ a = 1 }"),
]


def _key_paths(table: Table = SCHEMA, where: tuple[str, ...] = ()) -> list[str]:
    return [
        path
        for e in table.entries
        for path in [".".join((*where, e.name))]
        + (_key_paths(e, (*where, e.name)) if isinstance(e, Table) else [])
    ]


@pytest.mark.parametrize("key", _key_paths())
def test_any_value_of_any_key_gives_a_verdict(key: str) -> None:
    """No value, however odd, makes parse_config raise: each is accepted or diagnosed."""
    for value in ODD_VALUES:
        top = "".join(line for line in TOP.splitlines(True) if not line.startswith(f"{key} "))
        text = f"{top}{key} = {value}\n" + ("" if key.startswith("author") else AUTHOR)
        config, diagnostics = parse_config(text)
        assert (config is None) == any(d.is_error for d in diagnostics), (key, value)
        assert all(d.line is not None for d in diagnostics), (key, value)


def test_diagnostics_name_the_given_path() -> None:
    _, diagnostics = parse_config(TOP, "sites/ada/salon.toml")
    assert [d.path for d in diagnostics] == ["sites/ada/salon.toml"]
    assert CONFIG_FILE == "salon.toml"


# --- the schema ---------------------------------------------------------------------------


def _tables(table: Table = SCHEMA) -> list[Table]:
    return [table] + [t for e in table.entries if isinstance(e, Table) for t in _tables(e)]


@pytest.mark.parametrize("table", _tables(), ids=lambda t: t.name or "top")
def test_schema_rows_are_fields_of_the_model(table: Table) -> None:
    assert isinstance(table.make, type)
    assert dataclasses.is_dataclass(table.make)
    fields = {f.name for f in dataclasses.fields(table.make)}
    assert {e.name for e in table.entries} <= fields
    # A model field the schema does not list could never be set from salon.toml.
    assert fields <= {e.name for e in table.entries}


def test_schema_examples_are_valid_values() -> None:
    """Every "add: key = example" hint must itself pass the checks."""

    def lines(table: Table) -> list[str]:
        keys = [f"{e.name} = {e.example}" for e in table.entries if isinstance(e, Key)]
        assert all(e.example for e in table.entries if isinstance(e, Key)), table.name
        subtables = [e for e in table.entries if isinstance(e, Table)]
        return keys + [line for t in subtables for line in [f"[{t.name}]", *lines(t)]]

    config, diagnostics = parse_config("\n".join(lines(SCHEMA)) + "\n")
    assert diagnostics == ()
    assert config is not None


# --- the locator --------------------------------------------------------------------------

TRICKY = '''\
# comment = "not a key"
title = """
not_a_key = "inside a multi-line string"
[not_a_table]
""" # trailing comment
desc = \'\'\'
fake = 1 \'\' still inside
\'\'\'
quotes = """a ""quoted"" word"""""
after_quotes = ["""ends with a quote"""", 1]
escaped = """ends with \\""" but is still open
bogus = 2
"""
list = [
  "x", # a comment with = and an unclosed [ bracket
  "]", '[', """
inner = 3
""",
]
"quoted key" = 1
'lit.key' = 2
"esc\\u0041ped" = 3
a . b . "c d" = 4
  [ author ]
name = "x"
[[people]]
id = 1
[[people]]
id = 2
[people.extra]
k = 1
[[people.links]]
u = 1
'''

TRICKY_KEYS = [
    (2, 1, ("title",)),
    (6, 1, ("desc",)),
    (9, 1, ("quotes",)),
    (10, 1, ("after_quotes",)),
    (11, 1, ("escaped",)),
    (14, 1, ("list",)),
    (20, 1, ("quoted key",)),
    (21, 1, ("lit.key",)),
    (22, 1, ("escAped",)),
    (23, 1, ("a", "b", "c d")),
    (24, 3, ("author",)),
    (25, 1, ("author", "name")),
    (26, 1, ("people", 0)),
    (27, 1, ("people", 0, "id")),
    (28, 1, ("people", 1)),
    (29, 1, ("people", 1, "id")),
    (30, 1, ("people", 1, "extra")),
    (31, 1, ("people", 1, "extra", "k")),
    (32, 1, ("people", 1, "links", 0)),
    (33, 1, ("people", 1, "links", 0, "u")),
]


def test_locator_skips_strings_comments_and_arrays() -> None:
    found = [(s.line, s.col, s.path) for s in locate_keys(TRICKY).statements]
    assert found == TRICKY_KEYS


def _leaf_paths(value: Any, path: tuple[str | int, ...] = ()) -> set[tuple[str | int, ...]]:
    """Every key path tomllib sees, indexing arrays of tables like the locator does."""
    if isinstance(value, dict):
        return {p for k, v in value.items() for p in _leaf_paths(v, (*path, k))}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return {p for i, v in enumerate(value) for p in _leaf_paths(v, (*path, i))}
    return {path}


def test_locator_agrees_with_tomllib() -> None:
    data = tomllib.loads(TRICKY)
    located = {s.path for s in locate_keys(TRICKY).statements}
    assert _leaf_paths(data) <= located
    assert data["title"].startswith("not_a_key")  # the text really is what the test says


def test_locator_reads_crlf_lines() -> None:
    text = TOP.replace("\n", "\r\n") + '[author]\r\nname = """a\r\nb"""\r\nurl = "x"\r\n'
    found = [(s.line, s.path) for s in locate_keys(text).statements]
    assert found == [
        (1, ("title",)),
        (2, ("base_url",)),
        (3, ("author",)),
        (4, ("author", "name")),
        (6, ("author", "url")),
    ]


def test_locator_find_falls_back_to_the_nearest_parent() -> None:
    keys = locate_keys("a = { b = 1 }\n[c.d]\nx = 1\n[c]\ny = 2\n")
    a = keys.find(("a", "b"))
    assert a is not None and (a.path, a.line) == (("a",), 1)
    c = keys.find(("c",))  # declared by [c] on line 4, though [c.d] mentions it first
    assert c is not None and (c.path, c.line) == (("c",), 4)
    d = keys.find(("c", "d", "nope"))
    assert d is not None and (d.path, d.line) == (("c", "d"), 2)
    assert keys.find(("nope",)) is None


def test_locator_reports_a_value_left_open() -> None:
    keys = locate_keys('a = 1\nb = [\n  "x",\n\nc = 2\n')
    assert keys.unclosed is not None
    assert (keys.unclosed.path, keys.unclosed.line) == (("b",), 2)
    assert locate_keys(TRICKY).unclosed is None


def test_locator_never_fails_on_broken_text() -> None:
    """Every prefix of a tricky file is broken TOML somewhere; the scan must still finish."""
    for end in range(len(TRICKY) + 1):
        text = TRICKY[:end]
        lines = text.count("\n") + 1
        for s in locate_keys(text).statements:
            assert 1 <= s.line <= lines, (end, s)
            assert s.col >= 1, (end, s)
