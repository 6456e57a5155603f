"""The processes measured: each runs on its own so its CPU and memory are its own."""
