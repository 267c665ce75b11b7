"""A sample questionnaire for the questionnaire tests: the committee's survey of members on its consultation
work, with every kind of question and a condition."""

from __future__ import annotations

from typing import Any


def form() -> list[dict[str, Any]]:
    return [
        {"question_id": "s1", "kind": "section", "title": "一、基本情况"},
        {"question_id": "sector", "kind": "single_choice", "title": "您所在的界别", "required": True,
         "options": [{"key": "econ", "label": "经济界"}, {"key": "edu", "label": "教育界"}], "allow_other": True},
        {"question_id": "joined", "kind": "single_choice", "title": "今年是否参加过协商活动", "required": True,
         "options": [{"key": "yes", "label": "参加过"}, {"key": "no", "label": "没有参加"}]},
        # shown only to those who took part, and required of them alone
        {"question_id": "how_many", "kind": "number", "title": "参加次数", "required": True, "integer": True,
         "minimum": 1, "maximum": 50, "show_if": {"question_id": "joined", "any_of": ["yes"]}},
        {"question_id": "topics", "kind": "multiple_choice", "title": "您关注的议题（最多两项）", "max_choices": 2,
         "options": [{"key": "health", "label": "医疗"}, {"key": "water", "label": "治水"},
                     {"key": "roads", "label": "交通"}]},
        {"question_id": "rating", "kind": "matrix", "title": "对以下工作的评价",
         "rows": [{"key": "plan", "label": "年度计划"}, {"key": "follow", "label": "成果跟踪"}],
         "options": [{"key": "5", "label": "满意"}, {"key": "3", "label": "基本满意"},
                     {"key": "1", "label": "不满意"}]},
        {"question_id": "when", "kind": "date", "title": "最近一次参加的日期"},
        {"question_id": "name", "kind": "short_text", "title": "一句话建议"},
        {"question_id": "advice", "kind": "long_text", "title": "意见和建议"},
    ]


def publish(qid: str = "q1", *, mode: str = "identified", closes_on: str = "2026-04-30",
            member_ids: list[str] | None = None, questions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"questionnaire_id": qid, "title": "2026年委员协商工作问卷", "mode": mode, "closes_on": closes_on,
            "questions": form() if questions is None else questions,
            "member_ids": ["m-zhang", "m-li", "m-wang"] if member_ids is None else member_ids}


def took_part(**extra: Any) -> list[dict[str, Any]]:
    """Answers of a member who took part three times."""
    answers: dict[str, Any] = {"sector": {"question_id": "sector", "options": ["econ"]},
               "joined": {"question_id": "joined", "options": ["yes"]},
               "how_many": {"question_id": "how_many", "number": 3},
               "topics": {"question_id": "topics", "options": ["health", "water"]},
               "rating": {"question_id": "rating", "cells": [{"row": "plan", "option": "5"},
                                                              {"row": "follow", "option": "3"}]},
               "advice": {"question_id": "advice", "text": "建议增加基层协商"}}
    answers.update(extra)
    return [a for a in answers.values() if a is not None]


def stayed_away(**extra: Any) -> list[dict[str, Any]]:
    """Answers of a member who did not take part (the count question is hidden)."""
    answers: dict[str, Any] = {"sector": {"question_id": "sector", "other": "=农业界"},
               "joined": {"question_id": "joined", "options": ["no"]}}
    answers.update(extra)
    return [a for a in answers.values() if a is not None]
