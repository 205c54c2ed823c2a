"""One module per milestone: ``run(settings, output, tensorboard)`` measures and records."""
