"""Public events of the proposals service (topic `proposals.events`)."""
