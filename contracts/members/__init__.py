"""Public events of the members service (topic `members.events`)."""
