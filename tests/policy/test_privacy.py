"""Masking phones, finding phones inside texts, taking customers out of a text."""

from __future__ import annotations

import pytest

from xinao_xl.policy.privacy import customer_terms, mask_phone, redact_phones, scrub


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        (13812345678.0, "138****5678"),  # a phone typed as a number
        ("138-1234-5678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),  # the country code is not shown as digits
        ("0086-13812345678", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),  # full-width digits
        ("0635-8211234", "063****1234"),
        ("12345", "****"),  # too short to show any of it
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value: object, masked: str) -> None:
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请打13812345678联系", "请打138****5678联系"),
        ("电话：１３８１２３４５６７８", "电话：138****5678"),
        ("+86 138-1234-5678 或 0635-8211234", "138****5678 或 063****1234"),
        # numbers that are not phones stay: work orders, complaint numbers, dates, amounts
        ("GD202611000001", "GD202611000001"),
        ("投诉TS2026110001（2026-11-03 15:20），退费138元", "投诉TS2026110001（2026-11-03 15:20），退费138元"),
        ("13812345678901", "13812345678901"),  # 14 digits: part of a longer number
    ],
)
def test_redact_phones(text: str, expected: str) -> None:
    assert redact_phones(text) == expected


def test_scrub_replaces_longest_words_first_then_masks_phones() -> None:
    terms = {"张三", "张三丰", "东昌路1号", "13912345678", "李"}  # "李": one character is never a term
    text = "张三丰和张三住东昌路1号，李师傅说打13912345678或13800000000"
    assert scrub(text, terms) == "***和***住***，李师傅说打***或138****0000"


def test_customer_terms_from_records() -> None:
    records = [
        {"customer": " 王五 ", "phone": "+86 139-0000-0001", "address": "花园路2号", "opinion": "不是客户信息"},
        {"customer": "赵", "phone": 13900000002.0, "address": None},
        {"customer": float("nan")},
    ]
    assert customer_terms(records) == {"王五", "+86 139-0000-0001", "13900000001", "花园路2号", "13900000002"}
