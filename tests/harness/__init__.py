"""A throwaway MediaWiki that really sends mail, for tests, the demo and benchmarks."""
