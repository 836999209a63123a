"""Pure logic shared by API and workers: rendering, body choice, limits, retry policy."""
