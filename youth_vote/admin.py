"""Nothing of the election is registered in the Django admin, on purpose.

The admin would bypass the services (freeze, audit log, one-transaction casting) and would
list ballots and the roll side by side. Election administrators use the guarded pages under
``/youth-vote/admin/`` instead.
"""
