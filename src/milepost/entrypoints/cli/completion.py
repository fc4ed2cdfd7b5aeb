"""`milepost completion SHELL`: the shell's completion script, made by click in-process."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

SHELLS = ("bash", "zsh", "fish")


@click.command(
    epilog="""\b
Install it once:
  bash  echo 'eval "$(milepost completion bash)"' >> ~/.bashrc
  zsh   echo 'eval "$(milepost completion zsh)"' >> ~/.zshrc
  fish  milepost completion fish > ~/.config/fish/completions/milepost.fish
then open a new shell."""
)
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the completion script of SHELL (bash, zsh or fish): commands, options
    and choices complete on Tab."""
    script = get_completion_class(shell)
    assert script is not None  # `SHELLS` are click's own
    click.echo(script(ctx.find_root().command, {}, "milepost", "_MILEPOST_COMPLETE").source())
