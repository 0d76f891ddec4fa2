"""Pure dialog logic: `flows.machine.advance(state, event, services) -> (state, actions)`."""
