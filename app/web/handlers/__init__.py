"""One module per webhook concern, each with its own route table."""
