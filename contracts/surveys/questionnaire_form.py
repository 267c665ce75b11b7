"""A questionnaire's form (问卷) and a response's answers, as the office publishes them and respondents send them.

One model for the command and the event: the form's bounds do not depend on the clock, so whatever publication
accepted is read back as recorded. Every list, text and number is bounded here; the rules that tie fields
together (a condition looks at an earlier choice question, a cap no larger than the choices, an answer only
to a question shown) are the deciders' (`surveys.questionnaire.form`), refused with the field and the rule.

Kinds: a section heading (分节标题, not answered), short and long text, single and multiple choice (with an
optional cap and an "other" in the respondent's own words), a matrix (矩阵: statements rated on one scale —
a Likert scale), a number and a date. A question may be shown only when an earlier choice question's answer
includes one of named options (`show_if`); a question hidden so is neither required nor answerable.

The bounds keep the largest publication, and the largest response, inside a Kafka message beside the
platform's largest event (contracts/tests/test_message_size.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.bounded import NOT_BLANK, STORABLE, RecordedDate
from contracts.labels import LabeledEnum

MAX_QUESTIONS = 30  # questions (headings included) in one questionnaire
MAX_OPTIONS = 12  # choices of a question, or points of a matrix's scale
MAX_ROWS = 12  # statements of a matrix
MAX_KEY = 16  # a question's, option's or row's key
MAX_QUESTION_TITLE = 200
MAX_HELP = 200
MAX_OPTION_LABEL = 60
MAX_SHORT_ANSWER = 200  # a short-text answer (the decider's rule for short text)
MAX_LONG_ANSWER = 1_000  # a long-text answer
MAX_OTHER = 200  # the words of an "other" choice
MAX_INTRO = 2_000  # the text introducing the questionnaire
MAX_NUMBER = 1_000_000_000_000  # a number question's answers and bounds: within plus or minus 10^12

# A key the office gives a question, an option or a matrix row: 1-16 of A-Z a-z 0-9 _ -
Key = Annotated[str, StringConstraints(max_length=MAX_KEY, pattern=rf"^[A-Za-z0-9_-]{{1,{MAX_KEY}}}$"), STORABLE]
# The introduction shown above the questions, may be empty: 0-2,000 characters.
IntroText = Annotated[str, StringConstraints(max_length=MAX_INTRO), STORABLE]
# A question's title: 1-200 characters, not blank.
QuestionTitle = Annotated[str, StringConstraints(min_length=1, max_length=MAX_QUESTION_TITLE), STORABLE, NOT_BLANK]
# A hint shown under a question, may be empty: 0-200 characters.
HelpText = Annotated[str, StringConstraints(max_length=MAX_HELP), STORABLE]
# An option's or a matrix row's label: 1-60 characters, not blank.
OptionLabel = Annotated[str, StringConstraints(min_length=1, max_length=MAX_OPTION_LABEL), STORABLE, NOT_BLANK]
# A text answer: 0-1,000 characters (a short-text answer: at most 200, the decider's rule).
AnswerText = Annotated[str, StringConstraints(max_length=MAX_LONG_ANSWER), STORABLE]
# The words of an "other" choice: 0-200 characters.
OtherText = Annotated[str, StringConstraints(max_length=MAX_OTHER), STORABLE]
# A number asked or answered: -10^12 to 10^12.
FormNumber = Annotated[float, Field(ge=-MAX_NUMBER, le=MAX_NUMBER, allow_inf_nan=False)]
# A multiple-choice cap: 1-12.
ChoiceCap = Annotated[int, Field(ge=1, le=MAX_OPTIONS)]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class QuestionKind(LabeledEnum):
    section = ("section", "分节标题")
    short_text = ("short_text", "单行文本")
    long_text = ("long_text", "多行文本")
    single_choice = ("single_choice", "单选题")
    multiple_choice = ("multiple_choice", "多选题")
    matrix = ("matrix", "矩阵量表题")
    number = ("number", "数字")
    date = ("date", "日期")


CHOICE_KINDS = frozenset({QuestionKind.single_choice, QuestionKind.multiple_choice})
TEXT_KINDS = frozenset({QuestionKind.short_text, QuestionKind.long_text})


class ResponseMode(LabeledEnum):
    """Who a response is from: identified (实名, the member answers under their login) or anonymous (匿名: by
    an invitation ticket alone; nothing stored links a response to a member)."""

    identified = ("identified", "实名")
    anonymous = ("anonymous", "匿名")


class Choice(_Part):
    """An option of a choice question, a point of a matrix's scale, or a matrix's statement."""

    key: Key
    label: OptionLabel


class ShowIf(_Part):
    """Show the question only when the answer to an earlier choice question includes one of these options."""

    question_id: Key
    any_of: Annotated[list[Key], Field(min_length=1, max_length=MAX_OPTIONS)]


class Question(_Part):
    question_id: Key
    kind: QuestionKind
    title: QuestionTitle
    help: HelpText = ""
    required: bool = False
    options: Annotated[list[Choice], Field(max_length=MAX_OPTIONS)] = Field(
        default_factory=list, description="a choice question's options; a matrix's scale (e.g. 满意 … 不满意)")
    rows: Annotated[list[Choice], Field(max_length=MAX_ROWS)] = Field(
        default_factory=list, description="a matrix's statements, each rated on the scale")
    allow_other: bool = Field(default=False, description="a choice question offers 其他 in the respondent's words")
    max_choices: ChoiceCap | None = Field(default=None, description="a multiple-choice question's cap")
    minimum: FormNumber | None = None
    maximum: FormNumber | None = None
    integer: bool = Field(default=False, description="a number question takes whole numbers only")
    show_if: ShowIf | None = None


QuestionList = Annotated[list[Question], Field(max_length=MAX_QUESTIONS)]


class MatrixCell(_Part):
    row: Key
    option: Key


class Answer(_Part):
    """The answer to one question; only the field of the question's kind is given: `text` (short or long
    text), `options` and `other` (choice), `number`, `day` (date), `cells` (matrix: one per statement rated)."""

    question_id: Key
    text: AnswerText = ""
    options: Annotated[list[Key], Field(max_length=MAX_OPTIONS)] = Field(default_factory=list)
    other: OtherText = ""
    number: FormNumber | None = None
    day: RecordedDate | None = None  # 1900-2200: the same bound in the command and the event
    cells: Annotated[list[MatrixCell], Field(max_length=MAX_ROWS)] = Field(default_factory=list)

    @property
    def given(self) -> bool:
        """Whether anything was answered (an empty answer is no answer)."""
        return bool(self.text.strip() or self.options or self.other.strip() or self.number is not None
                    or self.day is not None or self.cells)


AnswerList = Annotated[list[Answer], Field(max_length=MAX_QUESTIONS)]
