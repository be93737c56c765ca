"""Use cases over the domain: the eventsourcing application, its commands,
queries, configuration and the bootstrap that wires them."""
