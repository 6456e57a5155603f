"""Development helpers: local Camunda engine, Twilio stand-ins. Not used in production."""
