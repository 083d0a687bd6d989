"""xinao_xl: Python behind the service office's Excel workbooks (考核表, 回访台账, 投诉台账)."""

__version__ = "0.1.0"
