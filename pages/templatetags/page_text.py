"""Turns a page's plain text into paragraphs, with a question line as its answer's heading."""

from django import template

register = template.Library()


@register.filter
def page_blocks(body: str) -> list[dict]:
    """Paragraphs are separated by blank lines. A paragraph whose first line ends with "?"
    and has more lines is a question and its answer (the help page's FAQ). Values are plain
    text: the template escapes them."""
    blocks = []
    for paragraph in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in paragraph.strip().split("\n")]
        if not lines or not lines[0]:
            continue
        if len(lines) > 1 and lines[0].endswith("?"):
            blocks.append({"question": lines[0], "text": "\n".join(lines[1:])})
        else:
            blocks.append({"question": "", "text": "\n".join(lines)})
    return blocks
