"""Public events of the surveys service (topic `surveys.events`)."""
