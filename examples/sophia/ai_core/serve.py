"""Start the OpenAI-compatible vLLM server for ai-core.

Arguments are passed straight through to vLLM (see the compose files for the model per GPU).
"""

import sys

from vllm.entrypoints.openai.api_server import run_server  # type: ignore[import-not-found]
from vllm.entrypoints.openai.cli_args import make_arg_parser  # type: ignore[import-not-found]
from vllm.utils import FlexibleArgumentParser  # type: ignore[import-not-found]


def main() -> None:
    parser = make_arg_parser(FlexibleArgumentParser(description="sophia ai-core"))
    args = parser.parse_args(sys.argv[1:])
    import asyncio

    asyncio.run(run_server(args))


if __name__ == "__main__":
    main()
