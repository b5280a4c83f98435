"""The shapes of the API's answers (OpenAPI components). Every field here is public by
design: a field that is not in a schema is never sent (the operations build these from
querysets that select only public rows)."""

from datetime import date, datetime

from ninja import Schema
from pydantic import Field


class ErrorDetail(Schema):
    code: str = Field(description="A stable machine-readable code, e.g. `invalid_parameter`.")
    message: str = Field(description="What was wrong, in plain English.")


class Error(Schema):
    error: ErrorDetail


class Names(Schema):
    en: str
    zh_hans: str | None = Field(None, alias="zh-hans")
    ms: str | None = None
    ta: str | None = None


class Label(Schema):
    slug: str
    name: str = Field(description="In the language asked for, else English.")


class HarmCategory(Schema):
    slug: str
    parent: str | None = Field(description="The slug of the top-level category, if any.")
    name: str
    names: Names
    summary: str
    order: int


class SolutionArea(Schema):
    slug: str
    name: str
    names: Names
    order: int


class HarmCategoryList(Schema):
    items: list[HarmCategory]


class SolutionAreaList(Schema):
    items: list[SolutionArea]


class Session(Schema):
    id: int
    slug: str
    title: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    mode: str = Field(description="in_person, online or hybrid.")
    status: str = Field(description="published or cancelled.")
    access: str = Field(description="open, or invitation (listed sessions only).")
    harm_categories: list[Label]
    capacity: int


class Page(Schema):
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class SessionPage(Page):
    items: list[Session]


class Idea(Schema):
    id: int
    title: str
    body: str
    language: str
    author: str = Field(description='The display name, or "Anonymous participant".')
    harm_category: Label
    solution_area: Label
    session: str | None = Field(description="The slug of the session it came from.")
    status: str = Field(description="approved, or merged into an initiative.")
    merged_into: str | None = Field(description="The slug of the initiative, if merged.")
    content_warning: str | None
    support_count: int
    comment_count: int
    submitted_at: datetime


class IdeaPage(Page):
    items: list[Idea]


class StatusChange(Schema):
    status: str
    at: datetime


class PublishedText(Schema):
    version: int = Field(description="The number of the version of the draft published.")
    published_at: datetime
    problem: str = Field(description="The problem (Markdown).")
    proposal: str = Field(description="What we propose (Markdown).")
    roles: str = Field(description="Who does what (Markdown).")
    milestones: str = Field(description="Milestones (Markdown).")


class Initiative(Schema):
    slug: str
    title: str
    summary: str
    description: str
    status: str = Field(description="forming, in_progress or launched.")
    harm_categories: list[Label]
    solution_area: Label
    created_at: datetime
    status_history: list[StatusChange]
    published_text: PublishedText | None = Field(
        description="The version of the working draft its organisers published; null before "
        "the first. The working draft itself is never public."
    )


class InitiativePage(Page):
    items: list[Initiative]


class FeedbackCell(Schema):
    month: date = Field(description="The first day of the month, Singapore time.")
    harm_category: str | None = Field(description="Top-level category slug; null: none chosen.")
    solution_area: str | None = Field(description="Solution area slug; null: no suggestion.")
    count: int | None = Field(
        description="Feedback given; null when 1 to threshold - 1 (hidden to protect people)."
    )


class FeedbackFigures(Schema):
    threshold: int = Field(description="Counts below this (but above 0) are hidden.")
    items: list[FeedbackCell]
