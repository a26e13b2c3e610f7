"""The figures and phrases of a topic card, as pure functions shared by every front end.

The seed page words them exactly so ("Research · Depth 79 in the knowledge graph", "Unlocks 1
downstream topic", "Longest path: 80 steps · 547 total prerequisite topics"); the terminal, the
console and the Discord card all call these so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutorbot.content.graph import KnowledgeGraph
from tutorbot.content.library import Library


@dataclass(frozen=True, slots=True)
class TopicFigures:
    """Everything a card counts about one topic's place in the graph."""

    depth: int
    steps: int
    total_prerequisites: int
    unlocks: int
    prerequisites: int
    leads_to: int


def figures(graph: KnowledgeGraph, topic_id: str) -> TopicFigures:
    """The card's figures for one topic; all precomputed by the graph, so cheap."""
    return TopicFigures(
        depth=graph.depth(topic_id),
        steps=graph.depth(topic_id) + 1,
        total_prerequisites=graph.ancestor_count(topic_id),
        unlocks=graph.descendant_count(topic_id),
        prerequisites=len(graph.prerequisites(topic_id)),
        leads_to=len(graph.leads_to(topic_id)),
    )


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 topic', '2 topics'."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def depth_text(depth: int, level: str | None = None) -> str:
    """'Research · Depth 79 in the knowledge graph' (without the level when there is none)."""
    text = f"Depth {depth} in the knowledge graph"
    return f"{level} · {text}" if level else text


def unlocks_text(n: int) -> str:
    """'Unlocks 1 downstream topic', 'Unlocks 5 downstream topics'."""
    return f"Unlocks {plural(n, 'downstream topic')}"


def longest_path_text(steps: int, total_prerequisites: int) -> str:
    """'Longest path: 80 steps · 547 total prerequisite topics'."""
    return (
        f"Longest path: {plural(steps, 'step')} · "
        f"{plural(total_prerequisites, 'total prerequisite topic')}"
    )


def questions_text(n: int) -> str:
    """'Practice Questions: 4 questions'."""
    return f"Practice Questions: {plural(n, 'question')}"


def count_heading(label: str, n: int) -> str:
    """'Prerequisites (3)', 'Leads To (1)'."""
    return f"{label} ({n})"


def topic_page(library: Library, topic_id: str) -> str:
    """The whole topic page as plain text, in the seed page's order (`tutorbot content show`)."""
    topic = library.topics[topic_id]
    graph = library.graph
    figs = figures(graph, topic_id)
    lines = [topic.title, depth_text(figs.depth, topic.level)]
    if topic.tags:
        lines.append(" ".join(topic.tags))
    lines += [unlocks_text(figs.unlocks), "", "Core Idea", "", topic.core_idea_shown, ""]
    if topic.explainer:
        lines += ["Explainer", "", topic.explainer, ""]
    lines += [questions_text(len(topic.questions)), ""]
    lines.append(count_heading("Prerequisites", figs.prerequisites))
    lines += [f"- {library.topics[p].title} ({p})" for p in graph.prerequisites(topic_id)]
    lines += ["", count_heading("Leads To", figs.leads_to)]
    lines += [f"- {library.topics[d].title} ({d})" for d in graph.leads_to(topic_id)]
    lines += ["", longest_path_text(figs.steps, figs.total_prerequisites), ""]
    lines.append("Prerequisite Chain")
    chain = graph.longest_chain(topic_id)
    width = len(str(len(chain)))
    lines += [f"{n:>{width}}. {library.topics[tid].title}" for n, tid in enumerate(chain, start=1)]
    return "\n".join(lines)
