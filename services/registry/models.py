"""Every registry table, imported so Alembic and the app see one MetaData."""

from services.registry.accounts.models import Account, AdminGrant, LoginThrottle, RefreshToken
from services.registry.base import Base, metadata
from services.registry.committees.models import Membership
from services.registry.emergency.models import (
    ActivationEntry,
    EmergencyActivation,
    EmergencyCallee,
    EmergencyPlan,
    EmergencyPost,
    RollCall,
)
from services.registry.ledgers.models import ImportJob
from services.registry.notifications.models import (
    CompoundChannels,
    Contact,
    Delivery,
    DeliveryAttempt,
    Notification,
    NotificationCounter,
    Preference,
    WechatBinding,
    WechatConsent,
)
from services.registry.pairings.models import Pairing
from services.registry.party.models import CenterHousehold, CheckIn, MemberSkill, Mentorship, PartyMember, PartyOrg
from services.registry.people.models import GridAssignment, GridWorker, Head, Person, PersonalDataAccess, ResidentUnit
from services.registry.places.models import (
    Building,
    Cluster,
    Community,
    Compound,
    Courtyard,
    Dwelling,
    Entrance,
    Grid,
    Household,
    Ownership,
    Street,
)
from services.registry.posts.models import PostClaim, ServicePost
from services.registry.visits.models import HouseholdVisit
from services.registry.volunteers.models import TeamMember, Volunteer, VolunteerTeam

__all__ = [
    "Account",
    "ActivationEntry",
    "AdminGrant",
    "Base",
    "Building",
    "CenterHousehold",
    "CheckIn",
    "Cluster",
    "Community",
    "Compound",
    "CompoundChannels",
    "Contact",
    "Courtyard",
    "Delivery",
    "DeliveryAttempt",
    "Dwelling",
    "EmergencyActivation",
    "EmergencyCallee",
    "EmergencyPlan",
    "EmergencyPost",
    "Entrance",
    "Grid",
    "GridAssignment",
    "GridWorker",
    "Head",
    "Household",
    "HouseholdVisit",
    "ImportJob",
    "LoginThrottle",
    "MemberSkill",
    "Membership",
    "Mentorship",
    "Notification",
    "NotificationCounter",
    "Ownership",
    "Pairing",
    "PartyMember",
    "PartyOrg",
    "Person",
    "PersonalDataAccess",
    "PostClaim",
    "Preference",
    "RefreshToken",
    "ResidentUnit",
    "RollCall",
    "ServicePost",
    "Street",
    "TeamMember",
    "Volunteer",
    "VolunteerTeam",
    "WechatBinding",
    "WechatConsent",
    "metadata",
]
