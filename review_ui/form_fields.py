"""Form fields that pages of several roles take, each with the limit of the schema it feeds."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form

# A note or reason kept with the action in the log (the schemas' notes: 2,000 characters).
Note = Annotated[str, Form(max_length=2000)]
