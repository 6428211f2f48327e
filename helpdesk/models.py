"""The desk's people live in the agents app. Agent is also importable from here, where it
was before the split into apps, for scripts written then (such as ../shared/bench)."""

from agents.models import Agent

__all__ = ["Agent"]
