"""Recording the live API's answers as named examples, and replaying them from the mock."""
