"""Questionnaires (问卷): identified or anonymous responses, results and export."""
