"""The store: where every client's users, catalog, inventory, customers and orders are kept.

* ``db``       - database URLs, engines and sessions (SQLite or PostgreSQL);
* ``tables``   - the SQLAlchemy models, one table per thing the Customers section touches;
* ``migrate``  - Alembic migrations, run programmatically (``openrev init``);
* ``demo``     - the demo data of CONTRACT.md (``openrev demo``);
* ``testing``  - a fresh, throw-away database for tests.
"""
