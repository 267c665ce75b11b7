"""Read-side queries over the gateway's views. Every query takes the caller's committee and filters by it."""
