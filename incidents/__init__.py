"""Emergency response: narratives detected from waves of posts, graded, clocked and reported."""
