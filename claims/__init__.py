"""Claims: the library of fact-checked claims (this package) and matching posts to them."""
