"""The persistent dialogue board: categories, threads, posts in many languages, translations,
reactions, search, a live stream, moderation and notifications."""
