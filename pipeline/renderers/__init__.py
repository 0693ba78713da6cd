"""One module per output format; each consumes a `pipeline.model.Document`."""
