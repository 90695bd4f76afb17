"""The inference engine: compile the KB to arrays, compute posteriors, explain them."""

from crampcheck.engine.network import Network, compile_network
from crampcheck.engine.posterior import Context, Posterior, posterior

__all__ = ["Context", "Network", "Posterior", "compile_network", "posterior"]
