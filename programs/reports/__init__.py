"""The dashboard (数据看板), the quarterly and yearly returns as .xlsx: reads only, scoped to the user's unions."""
