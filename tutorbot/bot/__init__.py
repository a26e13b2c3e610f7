"""The Discord front end: the client, one extension per feature, buttons that survive restarts."""
