"""Topic content: bounded YAML reading, validated models, the knowledge graph and the Library."""
