from django.apps import AppConfig


class VpportalConfig(AppConfig):
    name = "vpportal"
    verbose_name = "VP Portal"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from simple_history.signals import pre_create_historical_record

        from vpportal import permissions  # noqa: F401  (registers the role map with rules)
        from vpportal.core.history import stamp_channel
        from vpportal.people import signals as people_signals

        pre_create_historical_record.connect(stamp_channel, dispatch_uid="vpportal_history_channel")
        people_signals.connect()  # withdrawing access revokes API tokens
        user_logged_in.connect(
            people_signals.remember_time_zone_on_sign_in, dispatch_uid="vpportal_time_zone"
        )  # the person's clock
