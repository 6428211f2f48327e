"""What the sender wrote: the reply above quoted history and a signature, and HTML
mail as plain text."""

import re
from html.parser import HTMLParser

SIGNATURE_RE = re.compile(r"^--\s?$")
ORIGINAL_MESSAGE_RE = re.compile(
    r"^\s*-{2,}\s*(original message|message d'origine|mensaje original|"
    r"ursprüngliche nachricht)\s*-{2,}\s*$",
    re.IGNORECASE,
)
RULE_RE = re.compile(r"^\s*_{10,}\s*$")
QUOTE_FROM_RE = re.compile(r"^\s*\*?(from|de|von)\s*:", re.IGNORECASE)
QUOTE_SENT_RE = re.compile(r"^\s*\*?(sent|date|envoyé|gesendet|enviado)\s*:", re.IGNORECASE)
ATTRIBUTION_RE = re.compile(
    r"^\s*(on|le|el|am)\s.*\d.*(wrote|a écrit|escribió|schrieb)\s*:\s*$", re.IGNORECASE
)
DEVICE_SIGNATURE_RE = re.compile(r"^\s*(sent from my |get outlook for )", re.IGNORECASE)


def reply_text(text: str) -> str:
    """What the sender wrote above the quoted history and their signature.

    Cuts at a signature line ("-- "), Outlook's "-----Original Message-----" or
    "From: … Sent: …" block, and Gmail's "On <date>, <name> wrote:" (which may wrap
    over two lines); drops lines quoted with ">". If nothing is left, the whole text
    is kept rather than lose what the sender wrote.
    """
    lines = text.splitlines()
    kept = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if (
            SIGNATURE_RE.match(line)
            or ORIGINAL_MESSAGE_RE.match(line)
            or RULE_RE.match(line)
            or ATTRIBUTION_RE.match(line)
            or (ATTRIBUTION_RE.match(f"{line} {following}") and not line.lstrip().startswith(">"))
            or (
                QUOTE_FROM_RE.match(line)
                and any(QUOTE_SENT_RE.match(later) for later in lines[index + 1 : index + 4])
            )
        ):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line.rstrip())
    while kept and (not kept[-1].strip() or DEVICE_SIGNATURE_RE.match(kept[-1])):
        kept.pop()
    reply = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return reply or text.strip()


class HtmlText(HTMLParser):
    """HTML mail as plain text: blocks become lines, quotes, styles and scripts go."""

    SKIP = {"style", "script", "head", "title", "blockquote"}
    LINE = {"div", "li", "tr", "dt", "dd"}
    PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "pre", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.newlines = 0
        self.skipping = ""
        self.depth = 0
        self.links: list[str | None] = []

    def _break(self, count: int) -> None:
        if self.out and self.newlines < count:
            self.out.append("\n" * (count - self.newlines))
            self.newlines = count

    def handle_starttag(self, tag, attrs):
        if self.skipping:
            self.depth += tag == self.skipping
            return
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag in self.SKIP or (tag == "div" and "gmail_quote" in classes):
            self.skipping, self.depth = tag, 1
        elif tag == "br":
            self.out.append("\n")
            self.newlines += 1
        elif tag in self.LINE:
            self._break(1)
            if tag == "li":
                self.out.append("- ")
                self.newlines = 0
        elif tag in self.PARAGRAPH:
            self._break(2)
        elif tag == "a":
            self.links.append(attributes.get("href"))

    def handle_endtag(self, tag):
        if self.skipping:
            self.depth -= tag == self.skipping
            if self.depth <= 0:
                self.skipping = ""
            return
        if tag in self.LINE:
            self._break(1)
        elif tag in self.PARAGRAPH:
            self._break(2)
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href and href.startswith(("http://", "https://")) and href not in self.out[-1:]:
                self.out.append(f" ({href})")

    def handle_data(self, data):
        if self.skipping:
            return
        text = re.sub(r"\s+", " ", data)
        if self.newlines:
            text = text.lstrip()
        if text:
            self.out.append(text)
            self.newlines = 0


def html_to_text(html: str) -> str:
    parser = HtmlText()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.out).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
