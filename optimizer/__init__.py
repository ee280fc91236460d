"""The model: builds the MILP from an Instance and the scenario's standards, costs and weights; returns a Plan."""
