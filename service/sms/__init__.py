"""SMS channel: the command grammar of incoming messages and the one-SMS replies."""
