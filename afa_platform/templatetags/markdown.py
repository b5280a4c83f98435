"""`{{ text|markdown }}`: people's Markdown as sanitised HTML (afa_platform/markdown.py).

Registered in settings.TEMPLATES as the library `markdown`.
"""

from django import template

from afa_platform.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)
