"""The yardstick for `assessment_throughput`: a bare python-telegram-bot bot, run as its own
process, that answers `/start` with a message and every press with an answer and an edit (no
storage, no locales, PTB's default update processing with 256 concurrent updates).

    python benchmarks/bare_bot.py --token T --base-url http://127.0.0.1:PORT/bot
"""

from __future__ import annotations

import argparse
import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

__all__ = ["build", "main"]


def _keyboard(step: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Next", callback_data=f"n:{step}")]])


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    await update.effective_chat.send_message("step 0", reply_markup=_keyboard(0))


async def _press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    step = int(str(query.data).split(":")[1]) + 1
    await asyncio.gather(
        query.answer(), query.edit_message_text(f"step {step}", reply_markup=_keyboard(step))
    )


def build(token: str, base_url: str) -> Application:  # type: ignore[type-arg]
    application = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .concurrent_updates(256)
        .connection_pool_size(64)
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_press))
    return application


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--token", required=True)
    parser.add_argument("--base-url", required=True)
    args = parser.parse_args()
    build(args.token, args.base_url).run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
